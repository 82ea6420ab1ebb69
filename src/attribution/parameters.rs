//! CloudFormation parameter files: the values a stack is deployed with, as
//! `create-change-set --parameters file://params.json` reads them
//! (`[{"ParameterKey": "Env", "ParameterValue": "prod"}]`), or as a template
//! configuration file (`{"Parameters": {"Env": "prod"}}`, CodePipeline's).

use super::touches::Site;

/// The parameter values a file gives, each with its text; empty when the file
/// is not a parameter file.
pub fn values(text: &str) -> Vec<(String, String)> {
    if !text.contains("ParameterKey") && !text.contains("\"Parameters\"") {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    match &value {
        serde_json::Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                let Some(key) = item.get("ParameterKey").and_then(|k| k.as_str()) else {
                    return Vec::new();
                };
                out.push((key.to_owned(), item.to_string()));
            }
            out
        }
        serde_json::Value::Object(map) => match map.get("Parameters") {
            Some(serde_json::Value::Object(params)) => params
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A parameter file's sites, for comparing its versions.
pub fn sites(path: &str, text: &str) -> Vec<(Site, String)> {
    values(text)
        .into_iter()
        .map(|(name, text)| {
            (
                Site::CfnParamValue {
                    file: path.to_owned(),
                    name,
                },
                text,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_and_not_a_parameter_file() {
        let list = r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "Size", "UsePreviousValue": true}]"#;
        let names: Vec<String> = values(list).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["Env", "Size"]);
        let config = r#"{"Parameters": {"Env": "prod"}, "Tags": {"a": "b"}}"#;
        assert_eq!(values(config), [("Env".to_owned(), "\"prod\"".to_owned())]);
        assert!(values(r#"[{"name": "x"}]"#).is_empty());
        assert!(values(r#"{"Resources": {}}"#).is_empty());
        assert!(values("not json").is_empty());
    }
}
