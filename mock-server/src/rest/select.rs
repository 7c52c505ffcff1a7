//! Which documented response answers a call, the way Prism picks it: the lowest 2xx unless the
//! client asks otherwise with `Prefer: code=404, example=name, dynamic=true` or the query forms
//! `__code`, `__example`, `__dynamic`.

use api_model::{Operation, Response, ResponseStatus};
use http::{HeaderMap, StatusCode};

use crate::error::MockError;

/// What the client asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    /// A status code.
    pub code: Option<u16>,
    /// A named example.
    pub example: Option<String>,
    /// Generate from the schema even when the spec has an example.
    pub dynamic: bool,
}

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | ""
    )
}

/// Read `Prefer` and the `__code`/`__example`/`__dynamic` query parameters (query wins).
pub fn preferences(headers: &HeaderMap, query: &[(String, String)]) -> Preferences {
    let mut prefs = Preferences::default();
    for value in headers.get_all(http::header::HeaderName::from_static("prefer")) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split([',', ';']) {
            let Some((k, v)) = item.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"');
            match k.trim().to_ascii_lowercase().as_str() {
                "code" => prefs.code = v.parse().ok(),
                "example" => prefs.example = Some(v.to_string()),
                "dynamic" => prefs.dynamic = truthy(v),
                _ => {}
            }
        }
    }
    for (k, v) in query {
        match k.as_str() {
            "__code" => prefs.code = v.trim().parse().ok(),
            "__example" => prefs.example = Some(v.clone()),
            "__dynamic" => prefs.dynamic = truthy(v),
            _ => {}
        }
    }
    prefs
}

/// The chosen response and the status to send.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    /// The status line.
    pub status: StatusCode,
    /// The documented response (`None` when the operation documents none).
    pub response: Option<&'a Response>,
}

/// Pick the response.
pub fn select<'a>(op: &'a Operation, prefs: &Preferences) -> Result<Selected<'a>, MockError> {
    if let Some(code) = prefs.code {
        let status = StatusCode::from_u16(code)
            .ok()
            .filter(|s| (100..=599).contains(&s.as_u16()))
            .ok_or_else(|| MockError::NoSuchResponse {
                detail: format!("{code} is not an HTTP status code."),
            })?;
        let digit = u8::try_from(code / 100).unwrap_or(0);
        let found = op
            .responses
            .iter()
            .find(|r| r.status == ResponseStatus::Code(code))
            .or_else(|| {
                op.responses
                    .iter()
                    .find(|r| r.status == ResponseStatus::Range(digit))
            })
            .or_else(|| {
                op.responses
                    .iter()
                    .find(|r| r.status == ResponseStatus::Default)
            });
        return match found {
            Some(r) => Ok(Selected {
                status,
                response: Some(r),
            }),
            None => Err(MockError::NoSuchResponse {
                detail: format!(
                    "The operation documents no {code} response; it documents {}.",
                    documented(op)
                ),
            }),
        };
    }

    // The lowest 2xx code, else a 2XX range, else `default`, else the lowest documented code.
    let lowest = |range: std::ops::RangeInclusive<u16>| {
        op.responses
            .iter()
            .filter_map(|r| match r.status {
                ResponseStatus::Code(c) if range.contains(&c) => Some((c, r)),
                _ => None,
            })
            .min_by_key(|(c, _)| *c)
    };
    if let Some((code, r)) = lowest(200..=299) {
        return Ok(Selected {
            status: StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
            response: Some(r),
        });
    }
    if let Some(r) = op
        .responses
        .iter()
        .find(|r| r.status == ResponseStatus::Range(2))
        .or_else(|| {
            op.responses
                .iter()
                .find(|r| r.status == ResponseStatus::Default)
        })
    {
        return Ok(Selected {
            status: StatusCode::OK,
            response: Some(r),
        });
    }
    if let Some((code, r)) = lowest(300..=599) {
        return Ok(Selected {
            status: StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
            response: Some(r),
        });
    }
    if let Some(r) = op
        .responses
        .iter()
        .find(|r| matches!(r.status, ResponseStatus::Range(_)))
    {
        let code = match r.status {
            ResponseStatus::Range(d) => u16::from(d) * 100,
            _ => 200,
        };
        return Ok(Selected {
            status: StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
            response: Some(r),
        });
    }
    Ok(Selected {
        status: StatusCode::OK,
        response: None,
    })
}

fn documented(op: &Operation) -> String {
    if op.responses.is_empty() {
        return "none".to_string();
    }
    op.responses
        .iter()
        .map(|r| r.status.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::operation_with_statuses;

    #[test]
    fn lowest_2xx_wins() {
        let op = operation_with_statuses(&["default", "404", "201", "200"]);
        let s = select(&op, &Preferences::default()).expect("selected");
        assert_eq!(s.status, StatusCode::OK);
        let op = operation_with_statuses(&["default", "204", "201"]);
        assert_eq!(
            select(&op, &Preferences::default())
                .expect("selected")
                .status,
            StatusCode::CREATED
        );
    }

    #[test]
    fn default_or_range_answers_200() {
        let op = operation_with_statuses(&["default"]);
        let s = select(&op, &Preferences::default()).expect("selected");
        assert_eq!(s.status, StatusCode::OK);
        assert_eq!(s.response.map(|r| r.status), Some(ResponseStatus::Default));
    }

    #[test]
    fn prefer_code_uses_exact_then_range_then_default() {
        let op = operation_with_statuses(&["200", "4XX", "default"]);
        let prefs = |c| Preferences {
            code: Some(c),
            ..Preferences::default()
        };
        let s = select(&op, &prefs(404)).expect("selected");
        assert_eq!(s.status, StatusCode::NOT_FOUND);
        assert_eq!(s.response.map(|r| r.status), Some(ResponseStatus::Range(4)));
        let s = select(&op, &prefs(503)).expect("selected");
        assert_eq!(s.response.map(|r| r.status), Some(ResponseStatus::Default));
        let op = operation_with_statuses(&["200"]);
        assert!(matches!(
            select(&op, &prefs(404)),
            Err(MockError::NoSuchResponse { .. })
        ));
    }

    #[test]
    fn prefer_header_and_query_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "prefer",
            "code=404, example=missing".parse().expect("header"),
        );
        let p = preferences(&headers, &[]);
        assert_eq!(p.code, Some(404));
        assert_eq!(p.example.as_deref(), Some("missing"));
        assert!(!p.dynamic);
        let p = preferences(
            &headers,
            &[
                ("__code".into(), "201".into()),
                ("__dynamic".into(), "true".into()),
            ],
        );
        assert_eq!(p.code, Some(201));
        assert!(p.dynamic);
    }
}
