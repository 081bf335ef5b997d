//! Agenda templates: the blocks, their planned minutes and guiding
//! questions, and the cross-cutting themes. A template is a JSON file; the
//! built-in one is compiled in from sessions/templates/default.json.

use serde::{Deserialize, Serialize};

use super::{Extra, Label, Session};

pub const BUILTIN_NAME: &str = "default";
const BUILTIN_JSON: &str = include_str!("../../sessions/templates/default.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub template_version: i64,
    #[serde(default)]
    pub name: String,
    /// The title a session made from it gets when none is given.
    #[serde(default)]
    pub session_title: Label,
    #[serde(default)]
    pub themes: Vec<Label>,
    pub blocks: Vec<TemplateBlock>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateBlock {
    pub id: String,
    pub title: Label,
    #[serde(default)]
    pub planned_minutes: u32,
    #[serde(default)]
    pub guiding_questions: Vec<Label>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Template {
    pub fn builtin() -> Template {
        // The file is ours and tested; failing here means the build is broken.
        serde_json::from_str(BUILTIN_JSON).expect("built-in template is valid")
    }

    /// The agenda of an existing session, for "Save as template".
    pub fn from_session(session: &Session, name: &str) -> Template {
        Template {
            template_version: 1,
            name: name.to_string(),
            session_title: session.title.clone(),
            themes: session.themes.clone(),
            blocks: session
                .blocks
                .iter()
                .map(|b| TemplateBlock {
                    id: b.id.clone(),
                    title: b.title.clone(),
                    planned_minutes: b.planned_minutes,
                    guiding_questions: b.guiding_questions.clone(),
                    extra: Extra::new(),
                })
                .collect(),
            extra: Extra::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_the_five_blocks_in_order() {
        let t = Template::builtin();
        let titles: Vec<String> = t.blocks.iter().map(|b| b.title.to_lowercase()).collect();
        assert_eq!(titles.len(), 5);
        for (t, want) in titles.iter().zip([
            "rights",
            "integration",
            "social protection",
            "residence",
            "deportation",
        ]) {
            assert!(t.contains(want), "{t} should mention {want}");
        }
        assert!(
            t.blocks
                .iter()
                .all(|b| b.planned_minutes > 0 && !b.guiding_questions.is_empty())
        );
        for theme in ["labour-market", "gender-equality", "non-discrimination"] {
            assert!(t.themes.iter().any(|x| x == theme), "{theme}");
        }
    }
}
