//! Schemas as nested HTML: types, constraints, enums, oneOf/anyOf/allOf with discriminators,
//! tuples, conditionals and the other JSON Schema assertions.
//! A named schema is expanded once per page (with an anchor); every later use, including a
//! recursive one, is a link to that anchor, so nothing is ever expanded forever.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use api_model::{
    Additional, Api, AssertionValue, Composite, Keyword, Schema, SchemaKind, SchemaRef,
    StringFormat,
};
use serde_json::Value;

use crate::highlight::escape;
use crate::markdown::render_untrusted;

/// Inline nesting deeper than this is cut (only hostile or generated specs get here).
const MAX_DEPTH: usize = 24;
/// After this many schema nodes on one page, named schemas are no longer expanded.
const NODE_BUDGET: usize = 6000;

/// A schema key as people read it: `element:{urn:x}Account` -> `Account`.
pub fn display_name(key: &str) -> &str {
    let key = key
        .strip_prefix("element:")
        .or_else(|| key.strip_prefix("type:"))
        .or_else(|| key.strip_prefix("attribute:"))
        .or_else(|| key.strip_prefix("group:"))
        .unwrap_or(key);
    match key.strip_prefix('{').and_then(|k| k.split_once('}')) {
        Some((_, local)) if !local.is_empty() => local,
        _ => key,
    }
}

/// Renders the schemas of one page, remembering which named schemas it has expanded.
#[derive(Debug)]
pub struct SchemaHtml<'a> {
    api: &'a Api,
    anchors: HashMap<String, String>,
    used_ids: HashSet<String>,
    nodes: usize,
}

impl<'a> SchemaHtml<'a> {
    /// A renderer for one page of `api`.
    pub fn new(api: &'a Api) -> SchemaHtml<'a> {
        SchemaHtml {
            api,
            anchors: HashMap::new(),
            used_ids: HashSet::new(),
            nodes: 0,
        }
    }

    /// The anchor ids handed out so far (the page's link checker relies on them).
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        self.anchors.values().map(String::as_str)
    }

    /// The HTML of a schema (a `<div class="schema">` block).
    pub fn render(&mut self, schema: &SchemaRef) -> String {
        let mut out = String::new();
        self.schema_ref(schema, 0, &mut out);
        out
    }

    fn schema_ref(&mut self, r: &SchemaRef, depth: usize, out: &mut String) {
        match r {
            SchemaRef::Named(name) => self.named(name, None, depth, out),
            SchemaRef::Inline(s) => match &s.kind {
                SchemaKind::Ref(name) => self.named(name, Some(s), depth, out),
                _ => self.inline(s, depth, out),
            },
        }
    }

    fn anchor_id(&mut self, name: &str) -> String {
        let mut base = String::from("schema-");
        for c in display_name(name).chars() {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                base.push(c);
            } else {
                base.push('-');
            }
        }
        let mut id = base.clone();
        let mut n = 2;
        while self.used_ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used_ids.insert(id.clone());
        id
    }

    fn named(&mut self, name: &str, wrapper: Option<&Schema>, depth: usize, out: &mut String) {
        let desc = wrapper
            .and_then(|w| w.description.as_deref())
            .map(render_untrusted)
            .unwrap_or_default();
        if let Some(id) = self.anchors.get(name) {
            let label = self
                .api
                .schemas
                .get(name)
                .map(|s| type_label(self.api, s))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<div class=\"schema schema-link\"><span class=\"type\">{}</span> <a href=\"#{}\" title=\"{}\">{}</a> <span class=\"muted\">(shown above)</span>{desc}</div>",
                escape(&label),
                escape(id),
                escape(name),
                escape(display_name(name))
            );
            return;
        }
        let Some(schema) = self.api.schemas.get(name) else {
            let _ = write!(
                out,
                "<div class=\"schema\"><span class=\"type\">{}</span> <span class=\"muted\">(not described)</span>{desc}</div>",
                escape(display_name(name))
            );
            return;
        };
        if self.nodes > NODE_BUDGET || depth > MAX_DEPTH {
            let _ = write!(
                out,
                "<div class=\"schema\"><span class=\"type\">{}</span> <span class=\"muted\">(not expanded: page limit)</span>{desc}</div>",
                escape(display_name(name))
            );
            return;
        }
        let id = self.anchor_id(name);
        self.anchors.insert(name.to_string(), id.clone());
        let _ = write!(
            out,
            "<div class=\"schema schema-named\" id=\"{}\"><p class=\"schema-name\" title=\"{}\">{}</p>{desc}",
            escape(&id),
            escape(name),
            escape(display_name(name))
        );
        self.body(schema, depth + 1, out);
        out.push_str("</div>");
    }

    fn inline(&mut self, s: &Schema, depth: usize, out: &mut String) {
        out.push_str("<div class=\"schema\">");
        self.body(s, depth + 1, out);
        out.push_str("</div>");
    }

    /// The header line, description, constraints and children of a schema.
    fn body(&mut self, s: &Schema, depth: usize, out: &mut String) {
        self.nodes += 1;
        out.push_str("<p class=\"schema-head\">");
        let _ = write!(
            out,
            "<span class=\"type\">{}</span>",
            escape(&type_label(self.api, s))
        );
        badges(s, out);
        out.push_str("</p>");
        if let Some(title) = &s.title {
            let _ = write!(out, "<p class=\"schema-title\">{}</p>", escape(title));
        }
        if let Some(d) = &s.description {
            out.push_str("<div class=\"desc\">");
            out.push_str(&render_untrusted(d));
            out.push_str("</div>");
        }
        constraints_html(s, out);
        if depth > MAX_DEPTH {
            out.push_str("<p class=\"muted\">(nested too deeply to show)</p>");
            return;
        }
        match &s.kind {
            SchemaKind::Object(rules) => {
                if !rules.properties.is_empty() {
                    out.push_str("<ul class=\"props\">");
                    for (name, prop) in &rules.properties {
                        self.property(name, prop, rules.required.contains(name), depth, out);
                    }
                    out.push_str("</ul>");
                }
                match &rules.additional {
                    Additional::Any => {}
                    Additional::Forbidden => {
                        if !rules.properties.is_empty() {
                            out.push_str("<p class=\"muted\">No other properties.</p>");
                        }
                    }
                    Additional::Schema(extra) => {
                        out.push_str(
                            "<div class=\"sub\"><p class=\"sub-label\">Other properties, each:</p>",
                        );
                        self.schema_ref(extra, depth + 1, out);
                        out.push_str("</div>");
                    }
                }
            }
            SchemaKind::Array(rules) => {
                if rules
                    .items
                    .as_deref()
                    .is_some_and(|i| forbidden(self.api, i))
                {
                    out.push_str(if s.assertion(Keyword::PrefixItems).is_some() {
                        "<p class=\"muted\">No items beyond those by position.</p>"
                    } else {
                        "<p class=\"muted\">No items: the array is empty.</p>"
                    });
                } else if let Some(items) = &rules.items {
                    if !is_simple(self.api, items) {
                        out.push_str("<div class=\"sub\"><p class=\"sub-label\">Items:</p>");
                        self.schema_ref(items, depth + 1, out);
                        out.push_str("</div>");
                    }
                }
            }
            SchemaKind::OneOf(c) => self.composite("Exactly one of", c, depth, out),
            SchemaKind::AnyOf(c) => self.composite("Any of", c, depth, out),
            SchemaKind::AllOf(c) => self.composite("All of", c, depth, out),
            SchemaKind::Ref(name) => self.named(name, None, depth + 1, out),
            _ => {}
        }
        self.assertions(s, depth, out);
    }

    /// The JSON Schema keywords the kind does not cover (tuples, `contains`, conditionals...).
    fn assertions(&mut self, s: &Schema, depth: usize, out: &mut String) {
        for a in &s.assertions {
            match &a.value {
                AssertionValue::Schemas(list) => {
                    let _ = write!(
                        out,
                        "<div class=\"variants\"><p class=\"sub-label\">Items by position (<code>{}</code>):</p><ol>",
                        a.keyword.as_str()
                    );
                    for r in list {
                        out.push_str("<li>");
                        self.schema_ref(r, depth + 1, out);
                        out.push_str("</li>");
                    }
                    out.push_str("</ol></div>");
                }
                AssertionValue::Schema(r)
                    if forbidden(self.api, r)
                        && matches!(
                            a.keyword,
                            Keyword::UnevaluatedProperties | Keyword::UnevaluatedItems
                        ) =>
                {
                    let what = if a.keyword == Keyword::UnevaluatedItems {
                        "items"
                    } else {
                        "properties"
                    };
                    let _ = write!(
                        out,
                        "<p class=\"muted\">No other {what} (<code>{}</code>).</p>",
                        a.keyword.as_str()
                    );
                }
                AssertionValue::Schema(r) => {
                    let label = match a.keyword {
                        Keyword::Contains => "At least one item matches",
                        Keyword::Not => "Must not match",
                        Keyword::If => "If the value matches",
                        Keyword::Then => "then it must match",
                        Keyword::Else => "otherwise it must match",
                        Keyword::PropertyNames => "Every property name matches",
                        Keyword::UnevaluatedProperties => "Properties no other rule covers",
                        Keyword::UnevaluatedItems => "Items no other rule covers",
                        _ => "Also",
                    };
                    let _ = write!(
                        out,
                        "<div class=\"sub\"><p class=\"sub-label\">{label} (<code>{}</code>):</p>",
                        a.keyword.as_str()
                    );
                    self.schema_ref(r, depth + 1, out);
                    out.push_str("</div>");
                }
                AssertionValue::SchemaMap(map) => {
                    for (key, r) in map {
                        let label = match a.keyword {
                            Keyword::PatternProperties => "Properties whose name matches",
                            _ => "When this property is present",
                        };
                        let _ = write!(
                            out,
                            "<div class=\"sub\"><p class=\"sub-label\">{label} <code>{}</code> (<code>{}</code>):</p>",
                            escape(key),
                            a.keyword.as_str()
                        );
                        self.schema_ref(r, depth + 1, out);
                        out.push_str("</div>");
                    }
                }
                AssertionValue::Value(_) => {}
            }
        }
    }

    fn composite(&mut self, label: &str, c: &Composite, depth: usize, out: &mut String) {
        let _ = write!(
            out,
            "<div class=\"variants\"><p class=\"sub-label\">{label}:</p><ol>"
        );
        for member in &c.members {
            out.push_str("<li>");
            self.schema_ref(member, depth + 1, out);
            out.push_str("</li>");
        }
        out.push_str("</ol>");
        if let Some(d) = &c.discriminator {
            let _ = write!(
                out,
                "<p class=\"discriminator\">Discriminator: the <code>{}</code> property names the variant",
                escape(&d.property_name)
            );
            if d.mapping.is_empty() {
                out.push_str(".</p>");
            } else {
                out.push_str(":</p><ul class=\"mapping\">");
                for (value, target) in &d.mapping {
                    let target_name = target.rsplit('/').next().unwrap_or(target);
                    let link = match self.anchors.get(target_name) {
                        Some(id) => {
                            format!("<a href=\"#{}\">{}</a>", escape(id), escape(target_name))
                        }
                        None => format!("<code>{}</code>", escape(target_name)),
                    };
                    let _ = write!(out, "<li><code>{}</code> → {link}</li>", escape(value));
                }
                out.push_str("</ul>");
            }
        }
        out.push_str("</div>");
    }

    fn property(
        &mut self,
        name: &str,
        prop: &SchemaRef,
        required: bool,
        depth: usize,
        out: &mut String,
    ) {
        self.nodes += 1;
        out.push_str("<li class=\"prop\">");
        let _ = write!(out, "<code class=\"prop-name\">{}</code> ", escape(name));
        if required {
            out.push_str("<span class=\"badge badge-required\">required</span> ");
        }
        if is_simple(self.api, prop) {
            if let Some(s) = resolve(self.api, prop) {
                let _ = write!(
                    out,
                    "<span class=\"type\">{}</span>",
                    escape(&type_label(self.api, s))
                );
                badges(s, out);
                if let SchemaRef::Inline(own) = prop {
                    if let Some(d) = &own.description {
                        out.push_str("<div class=\"desc\">");
                        out.push_str(&render_untrusted(d));
                        out.push_str("</div>");
                    }
                }
                if let Some(d) = s
                    .description
                    .as_ref()
                    .filter(|_| matches!(prop, SchemaRef::Named(_)))
                {
                    out.push_str("<div class=\"desc\">");
                    out.push_str(&render_untrusted(d));
                    out.push_str("</div>");
                }
                constraints_html(s, out);
            }
        } else {
            self.schema_ref(prop, depth + 1, out);
        }
        out.push_str("</li>");
    }
}

fn resolve<'a>(api: &'a Api, r: &'a SchemaRef) -> Option<&'a Schema> {
    r.resolve(api)
}

/// A schema no value matches (`false`, which the model reads as `not: {}`).
fn forbidden(api: &Api, r: &SchemaRef) -> bool {
    r.resolve(api).is_some_and(Schema::matches_nothing)
}

/// A schema that fits on one line: a leaf, or an array of leaves, that is not named, with no
/// subschemas of its own (a tuple's positions, `contains`, `not`...).
fn is_simple(api: &Api, r: &SchemaRef) -> bool {
    // Subschemas of a tuple, `contains`, `not`... are shown nested.
    let nested = |s: &Schema| {
        s.assertions
            .iter()
            .any(|a| !matches!(a.value, AssertionValue::Value(_)))
    };
    if r.resolve(api).is_some_and(nested) {
        return false;
    }
    if r.name().is_some() {
        // Named enums and strings still read best inline.
        return match r.resolve(api) {
            Some(s) => is_leaf(&s.kind) && s.enum_values.len() <= 12,
            None => true,
        };
    }
    match r.resolve(api) {
        Some(s) => match &s.kind {
            SchemaKind::Array(rules) => match &rules.items {
                Some(items) => {
                    items.name().is_none() && items.resolve(api).is_some_and(|i| is_leaf(&i.kind))
                }
                None => true,
            },
            kind => is_leaf(kind),
        },
        None => true,
    }
}

fn is_leaf(kind: &SchemaKind) -> bool {
    matches!(
        kind,
        SchemaKind::Any
            | SchemaKind::Null
            | SchemaKind::Boolean
            | SchemaKind::Integer(_)
            | SchemaKind::Number(_)
            | SchemaKind::String(_)
            | SchemaKind::Union(_)
    )
}

fn badges(s: &Schema, out: &mut String) {
    if s.nullable {
        out.push_str(" <span class=\"badge\">nullable</span>");
    }
    if s.read_only {
        out.push_str(" <span class=\"badge\">read-only</span>");
    }
    if s.write_only {
        out.push_str(" <span class=\"badge\">write-only</span>");
    }
    if s.deprecated {
        out.push_str(" <span class=\"badge badge-deprecated\">deprecated</span>");
    }
    if let Some(xml) = &s.xml {
        if xml.attribute {
            out.push_str(" <span class=\"badge\">XML attribute</span>");
        }
    }
}

/// A short type label: `string<date-time>`, `array of Pet`, `one of`, `integer<int64>`.
pub fn type_label(api: &Api, s: &Schema) -> String {
    let label = match (&s.kind, s.assertion(Keyword::PrefixItems)) {
        (SchemaKind::Array(_), Some(_)) => "array (items by position)".to_string(),
        _ => kind_label(api, &s.kind),
    };
    // An XSD list's text is several values of the kind, separated by spaces.
    if s.xml.as_ref().is_some_and(|x| x.list) {
        format!("list of {label}")
    } else {
        label
    }
}

fn kind_label(api: &Api, kind: &SchemaKind) -> String {
    match kind {
        SchemaKind::Any => "any".into(),
        SchemaKind::Null => "null".into(),
        SchemaKind::Boolean => "boolean".into(),
        SchemaKind::Integer(r) => with_format("integer", r.format.as_deref()),
        SchemaKind::Number(r) => with_format("number", r.format.as_deref()),
        SchemaKind::String(r) => {
            let f = r.format.as_ref().map(StringFormat::as_str);
            let f = f.or(r.xsd_type.as_deref());
            with_format("string", f)
        }
        SchemaKind::Array(r) => match &r.items {
            Some(items) => format!("array of {}", ref_label(api, items)),
            None => "array".into(),
        },
        SchemaKind::Object(_) => "object".into(),
        SchemaKind::OneOf(_) => "one of".into(),
        SchemaKind::AnyOf(_) => "any of".into(),
        SchemaKind::AllOf(_) => "all of".into(),
        SchemaKind::Union(kinds) => kinds
            .iter()
            .map(|k| kind_label(api, k))
            .collect::<Vec<_>>()
            .join(" | "),
        SchemaKind::Ref(name) => display_name(name).to_string(),
    }
}

/// The label of a schema reference: its name when named, else its type label.
pub fn ref_label(api: &Api, r: &SchemaRef) -> String {
    if let Some(name) = r.name() {
        return display_name(name).to_string();
    }
    match r.resolve(api) {
        Some(s) => type_label(api, s),
        None => "any".into(),
    }
}

fn with_format(base: &str, format: Option<&str>) -> String {
    match format {
        Some(f) if !f.is_empty() => format!("{base}<{f}>"),
        _ => base.to_string(),
    }
}

/// Compact JSON of a value, for enums and defaults.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// The constraints of a schema as short phrases (`≥ 1`, `length ≤ 64`, `pattern ^[A-Z]+$`).
pub fn constraints(s: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    match &s.kind {
        SchemaKind::Integer(r) | SchemaKind::Number(r) => {
            if let Some(v) = &r.minimum {
                out.push(format!("≥ {v}"));
            }
            if let Some(v) = &r.exclusive_minimum {
                out.push(format!("> {v}"));
            }
            if let Some(v) = &r.maximum {
                out.push(format!("≤ {v}"));
            }
            if let Some(v) = &r.exclusive_maximum {
                out.push(format!("< {v}"));
            }
            if let Some(v) = &r.multiple_of {
                out.push(format!("multiple of {v}"));
            }
            if let Some(v) = r.total_digits {
                out.push(format!("at most {v} digits"));
            }
            if let Some(v) = r.fraction_digits {
                out.push(format!("at most {v} decimals"));
            }
        }
        SchemaKind::String(r) => {
            match (r.min_length, r.max_length) {
                (Some(a), Some(b)) if a == b => out.push(format!("length {a}")),
                (min, max) => {
                    if let Some(a) = min.filter(|a| *a > 0) {
                        out.push(format!("length ≥ {a}"));
                    }
                    if let Some(b) = max {
                        out.push(format!("length ≤ {b}"));
                    }
                }
            }
            if let Some(p) = &r.pattern {
                out.push(format!("pattern {p}"));
            }
        }
        SchemaKind::Array(r) => {
            if let Some(v) = r.min_items.filter(|v| *v > 0) {
                out.push(format!("≥ {v} items"));
            }
            if let Some(v) = r.max_items {
                out.push(format!("≤ {v} items"));
            }
            if r.unique_items {
                out.push("unique items".into());
            }
        }
        SchemaKind::Object(r) => {
            // Required names without a property of their own (in a conditional, say).
            let bare: Vec<&str> = r
                .required
                .iter()
                .filter(|n| !r.properties.contains_key(n.as_str()))
                .map(String::as_str)
                .collect();
            if !bare.is_empty() {
                out.push(format!("requires {}", bare.join(", ")));
            }
            if let Some(v) = r.min_properties.filter(|v| *v > 0) {
                out.push(format!("≥ {v} properties"));
            }
            if let Some(v) = r.max_properties {
                out.push(format!("≤ {v} properties"));
            }
        }
        _ => {}
    }
    if let Some(c) = &s.const_value {
        out.push(format!("always {}", value_text(c)));
    }
    if let Some(d) = &s.default {
        out.push(format!("default {}", value_text(d)));
    }
    for a in &s.assertions {
        let AssertionValue::Value(v) = &a.value else {
            continue;
        };
        match a.keyword {
            Keyword::MinContains => out.push(format!("≥ {v} items match contains")),
            Keyword::MaxContains => out.push(format!("≤ {v} items match contains")),
            Keyword::DependentRequired => {
                for (trigger, needed) in v.as_object().into_iter().flatten() {
                    let names: Vec<&str> = needed
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    out.push(format!("with {trigger}, also {}", names.join(", ")));
                }
            }
            _ => {}
        }
    }
    out
}

fn constraints_html(s: &Schema, out: &mut String) {
    let list = constraints(s);
    if !list.is_empty() {
        out.push_str("<ul class=\"constraints\">");
        for c in list {
            let _ = write!(out, "<li>{}</li>", escape(&c));
        }
        out.push_str("</ul>");
    }
    if !s.enum_values.is_empty() {
        out.push_str("<p class=\"enum\">Allowed values: ");
        for (i, v) in s.enum_values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if i >= 200 {
                let _ = write!(out, "and {} more", s.enum_values.len() - i);
                break;
            }
            let _ = write!(out, "<code>{}</code>", escape(&value_text(v)));
        }
        out.push_str("</p>");
    }
}

#[cfg(test)]
mod tests {
    use api_model::{ArrayRules, Discriminator, NumberRules, ObjectRules, StringRules};
    use indexmap::IndexMap;

    use super::*;
    use crate::testdata::sample_api;

    fn obj(props: Vec<(&str, SchemaRef)>, required: &[&str]) -> Schema {
        Schema {
            kind: SchemaKind::Object(ObjectRules {
                properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                required: required.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn recursive_schemas_link_instead_of_looping() {
        let mut api = sample_api();
        api.schemas.insert(
            "Node".into(),
            obj(
                vec![
                    (
                        "name",
                        SchemaRef::Inline(Box::new(Schema {
                            kind: SchemaKind::String(StringRules::default()),
                            ..Default::default()
                        })),
                    ),
                    (
                        "children",
                        SchemaRef::Inline(Box::new(Schema {
                            kind: SchemaKind::Array(ArrayRules {
                                items: Some(Box::new(SchemaRef::Named("Node".into()))),
                                ..Default::default()
                            }),
                            ..Default::default()
                        })),
                    ),
                ],
                &["name"],
            ),
        );
        let mut r = SchemaHtml::new(&api);
        let html = r.render(&SchemaRef::Named("Node".into()));
        assert_eq!(html.matches("id=\"schema-Node\"").count(), 1, "{html}");
        assert!(html.contains("href=\"#schema-Node\""), "{html}");
        // A second use on the same page is a link too.
        let again = r.render(&SchemaRef::Named("Node".into()));
        assert!(!again.contains("id=\"schema-Node\""), "{again}");
        assert!(again.contains("href=\"#schema-Node\""), "{again}");
    }

    #[test]
    fn one_of_with_discriminator_and_constraints() {
        let mut api = sample_api();
        api.schemas.insert(
            "Cat".into(),
            obj(
                vec![(
                    "lives",
                    SchemaRef::Inline(Box::new(Schema {
                        kind: SchemaKind::Integer(NumberRules {
                            minimum: Some(0i64.into()),
                            maximum: Some(9i64.into()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })),
                )],
                &[],
            ),
        );
        api.schemas.insert(
            "Dog".into(),
            Schema {
                kind: SchemaKind::String(StringRules::default()),
                enum_values: vec![Value::from("good"), Value::from("<b>")],
                ..Default::default()
            },
        );
        let pet = Schema {
            kind: SchemaKind::OneOf(Composite {
                members: vec![
                    SchemaRef::Named("Cat".into()),
                    SchemaRef::Named("Dog".into()),
                ],
                discriminator: Some(Discriminator {
                    property_name: "kind".into(),
                    mapping: IndexMap::from([(
                        "cat".to_string(),
                        "#/components/schemas/Cat".to_string(),
                    )]),
                }),
            }),
            ..Default::default()
        };
        let html = SchemaHtml::new(&api).render(&SchemaRef::Inline(Box::new(pet)));
        assert!(html.contains("Exactly one of"), "{html}");
        assert!(html.contains("≥ 0"), "{html}");
        assert!(html.contains("≤ 9"), "{html}");
        assert!(html.contains("<code>kind</code>"), "{html}");
        assert!(html.contains("href=\"#schema-Cat\""), "{html}");
        assert!(html.contains("&quot;&lt;b&gt;&quot;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name("element:{urn:x}Account"), "Account");
        assert_eq!(display_name("type:Plain"), "Plain");
        assert_eq!(display_name("Pet"), "Pet");
    }

    #[test]
    fn labels() {
        let api = sample_api();
        let s = Schema {
            kind: SchemaKind::Array(ArrayRules {
                items: Some(Box::new(SchemaRef::Named("Pet".into()))),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(type_label(&api, &s), "array of Pet");
        let list = Schema {
            kind: SchemaKind::Integer(NumberRules {
                format: Some("int32".into()),
                ..Default::default()
            }),
            xml: Some(api_model::XmlInfo {
                list: true,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(type_label(&api, &list), "list of integer<int32>");
        let bounds = |min: f64, max: &str| {
            constraints(&Schema {
                kind: SchemaKind::Integer(NumberRules {
                    minimum: api_model::Bound::from_f64(min),
                    maximum: api_model::Bound::parse(max),
                    ..Default::default()
                }),
                ..Default::default()
            })
        };
        // A bound as people write it (`1` not `1.0`), an int64 maximum exactly.
        assert_eq!(bounds(3.0, "0.5"), ["≥ 3", "≤ 0.5"]);
        assert_eq!(
            bounds(-1.0, "9223372036854775807"),
            ["≥ -1", "≤ 9223372036854775807"]
        );
    }

    #[test]
    fn tuples_conditionals_and_dependent_properties_are_shown() {
        let spec = r##"
openapi: 3.1.0
info: {title: K, version: "1"}
paths: {}
components:
  schemas:
    Thing:
      type: object
      properties:
        pair:
          type: array
          prefixItems: [{type: integer}, {type: string}]
          items: false
        tags: {type: object, patternProperties: {"^x-": {type: integer}}}
      if: {required: [card]}
      then: {required: [billing]}
      dependentRequired: {card: [billing, zip]}
      unevaluatedProperties: false
"##;
        let mut files = api_model::files::MemoryFiles::new();
        files.insert("/k.yaml", spec);
        let api = api_model::openapi::load(std::path::Path::new("/k.yaml"), &files)
            .expect("loads")
            .api;
        let html = SchemaHtml::new(&api).render(&SchemaRef::Named("Thing".into()));
        for part in [
            "array (items by position)",
            "Items by position (<code>prefixItems</code>)",
            "Properties whose name matches <code>^x-</code>",
            "If the value matches (<code>if</code>)",
            "then it must match (<code>then</code>)",
            "requires billing",
            "with card, also billing, zip",
            "No items beyond those by position.",
            "No other properties (<code>unevaluatedProperties</code>).",
        ] {
            assert!(html.contains(part), "{part} missing from {html}");
        }
    }
}
