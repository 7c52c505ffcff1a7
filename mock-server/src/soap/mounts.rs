//! Where each SOAP API is served: one mount per distinct endpoint address path, holding the ports
//! (and so the bindings) reachable there; an API whose WSDL has bindings but no service is served
//! at `/<api-id>` with one synthesized port per binding.

use api_model::{Api, QName, SoapVersion};
use indexmap::IndexMap;

/// A port (endpoint) reachable at a mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapPort {
    /// Service name (synthesized ports: `<api-id>Service`).
    pub service: String,
    /// Port name (synthesized ports: the binding's local name).
    pub port: String,
    /// The binding the port uses.
    pub binding: QName,
    /// The binding's SOAP version.
    pub version: SoapVersion,
    /// The address as the WSDL writes it (synthesized ports: empty).
    pub address: String,
}

/// A path the API is served at, before the router's overlap rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapMount {
    /// The path of the endpoint address (`/calculator.asmx`), or `/<api-id>`.
    pub path: String,
    /// The ports served here, in document order.
    pub ports: Vec<SoapPort>,
    /// The WSDL has no service for these bindings: `?wsdl` must add one.
    pub synthesized: bool,
}

/// The mounts of a SOAP API, in document order of its endpoints.
pub fn soap_mounts(api: &Api) -> Vec<SoapMount> {
    let fallback = format!("/{}", api.id);
    let mut mounts: IndexMap<String, SoapMount> = IndexMap::new();
    let mut bindings: IndexMap<QName, SoapVersion> = IndexMap::new();
    let mut any_endpoint = false;
    for op in &api.operations {
        let Some(soap) = op.soap() else { continue };
        for binding in &soap.bindings {
            bindings
                .entry(binding.name.clone())
                .or_insert(binding.version);
            for endpoint in &binding.endpoints {
                any_endpoint = true;
                let path = address_path(&endpoint.address).unwrap_or_else(|| fallback.clone());
                let mount = mounts.entry(path.clone()).or_insert_with(|| SoapMount {
                    path,
                    ports: Vec::new(),
                    synthesized: false,
                });
                let port = SoapPort {
                    service: endpoint.service.clone(),
                    port: endpoint.port.clone(),
                    binding: binding.name.clone(),
                    version: binding.version,
                    address: endpoint.address.clone(),
                };
                if !mount.ports.contains(&port) {
                    mount.ports.push(port);
                }
            }
        }
    }
    if !any_endpoint && !bindings.is_empty() {
        let ports = bindings
            .into_iter()
            .map(|(binding, version)| SoapPort {
                service: format!("{}Service", api.id),
                port: binding.local.clone(),
                binding,
                version,
                address: String::new(),
            })
            .collect();
        mounts.insert(
            fallback.clone(),
            SoapMount {
                path: fallback.clone(),
                ports,
                synthesized: true,
            },
        );
    }
    // A WSDL with a service but no SOAP binding behind it still gets its `?wsdl` served.
    if mounts.is_empty() {
        for path in api.servers.iter().filter_map(|s| address_path(&s.url)) {
            mounts.entry(path.clone()).or_insert_with(|| SoapMount {
                path,
                ports: Vec::new(),
                synthesized: false,
            });
        }
    }
    if mounts.is_empty() {
        mounts.insert(
            fallback.clone(),
            SoapMount {
                path: fallback,
                ports: Vec::new(),
                synthesized: false,
            },
        );
    }
    mounts.into_values().collect()
}

/// The path of an endpoint address, or `None` when the address cannot be served as written
/// (a placeholder such as `{{url}}`, an empty or root path, a non-HTTP scheme).
pub fn address_path(address: &str) -> Option<String> {
    let address = address.trim();
    if address.contains('{') || address.contains('}') || address.contains(' ') {
        return None;
    }
    let path = if let Some((scheme, rest)) = address.split_once("://") {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return None;
        }
        match rest.find('/') {
            Some(i) => &rest[i..],
            None => "",
        }
    } else if address.starts_with('/') {
        address
    } else {
        return None;
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_end_matches('/');
    if path.is_empty() || path.contains("//") || path.split('/').any(|s| s == "..") {
        return None;
    }
    Some(path.to_string())
}

/// The URL of a mount's WSDL, for the catalog's `spec_url`.
pub fn wsdl_url(base_url: &str, mount_path: &str) -> String {
    format!("{}{}?wsdl", base_url.trim_end_matches('/'), mount_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::fixtures;

    #[test]
    fn address_paths() {
        assert_eq!(
            address_path("http://www.dneonline.com/calculator.asmx").as_deref(),
            Some("/calculator.asmx")
        );
        assert_eq!(
            address_path("https://h:8080/a/b/?x=1").as_deref(),
            Some("/a/b")
        );
        assert_eq!(address_path("/svc").as_deref(), Some("/svc"));
        assert_eq!(address_path("{{url}}/Services"), None);
        assert_eq!(address_path("http://host"), None);
        assert_eq!(address_path("http://host/"), None);
        assert_eq!(address_path("net.tcp://host/x"), None);
        assert_eq!(address_path("http://h/a/../b"), None);
    }

    #[test]
    fn calculator_has_one_mount_with_both_ports() {
        let api = fixtures::calculator();
        let mounts = soap_mounts(&api);
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].path, "/calculator.asmx");
        let versions: Vec<_> = mounts[0].ports.iter().map(|p| p.version).collect();
        assert_eq!(versions, vec![SoapVersion::V11, SoapVersion::V12]);
        assert!(!mounts[0].synthesized);
    }

    #[test]
    fn serviceless_wsdl_is_served_at_api_id() {
        let mut api = fixtures::calculator();
        for op in &mut api.operations {
            if let api_model::Binding::Soap(soap) = &mut op.binding {
                for b in &mut soap.bindings {
                    b.endpoints.clear();
                }
            }
        }
        let mounts = soap_mounts(&api);
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].path, "/calculator");
        assert!(mounts[0].synthesized);
        assert_eq!(mounts[0].ports.len(), 2);
        assert_eq!(mounts[0].ports[0].port, "CalculatorSoap");
        assert_eq!(
            wsdl_url("http://127.0.0.1:4010/", &mounts[0].path),
            "http://127.0.0.1:4010/calculator?wsdl"
        );
    }
}
