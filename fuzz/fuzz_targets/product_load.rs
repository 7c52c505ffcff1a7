//! Fuzz the product loader: arbitrary bytes as a product file, resolved against a small
//! in-memory API. Must never panic or hang.
#![no_main]

use std::path::Path;

use api_model::files::MemoryFiles;
use libfuzzer_sys::fuzz_target;

const SPEC: &str = "openapi: 3.0.3
info: {title: Accounts, version: '1.0'}
paths:
  /accounts:
    get: {operationId: listAccounts, responses: {'200': {description: ok}}}
  /accounts/{id}:
    get: {operationId: getAccount, responses: {'200': {description: ok}}}
";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut files = MemoryFiles::new();
    files.insert("/specs/accounts.yaml", SPEC);
    let Ok(loaded) = api_model::openapi::load(Path::new("/specs/accounts.yaml"), &files) else {
        return;
    };
    let mut api = loaded.api;
    api.source.path = "accounts.yaml".into();
    let path = Path::new("/specs/product.yaml");
    if let Ok(file) = api_model::product::parse(path, text) {
        let _ = api_model::product::resolve(&file, path, std::slice::from_ref(&api));
    }
    let _ = api_model::product::parse_limit(text);
});
