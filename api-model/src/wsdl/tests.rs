//! Tests of the WSDL loader.
use super::*;
