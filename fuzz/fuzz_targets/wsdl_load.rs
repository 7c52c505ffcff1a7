//! Fuzz the WSDL/XSD loader and the XML example generator: any bytes must give an API or a
//! located error, never a panic, a hang or unbounded memory.
#![no_main]

use std::path::Path;

use api_model::example::Seed;
use api_model::files::MemoryFiles;
use api_model::xml_example::{Direction, message_xml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The input may hold a second file after a NUL: it is what `b.xsd` / `b.wsdl` imports reach.
    let (main, other) = text.split_once('\0').unwrap_or((&text, ""));
    let mut files = MemoryFiles::new();
    files.insert("/f/a.wsdl", main);
    files.insert("/f/b.xsd", other);
    files.insert("/f/b.wsdl", other);
    let _ = api_model::wsdl::check_xsd(Path::new("/f/a.xsd"), main);
    if let Ok(loaded) = api_model::wsdl::load(Path::new("/f/a.wsdl"), &files) {
        let api = &loaded.api;
        for op in api.operations.iter().take(8) {
            let Some(soap) = op.soap() else { continue };
            for b in soap.bindings.iter().take(2) {
                for (dir, msg) in [
                    (Direction::Request, soap.input.as_ref()),
                    (Direction::Response, soap.output.as_ref()),
                ] {
                    if let Some(m) = msg {
                        let _ = message_xml(api, m, b, &soap.name, dir, Seed(1));
                    }
                }
            }
        }
    }
});
