//! Asking before a file is replaced: "Save as template" and the review
//! screen's export write a name the user may have used before.
//!
//! Which files exist is read by the store when the session opens
//! ([`crate::store::files_in`]) and kept up to date with what this app
//! writes, so that `update` does no file-system read on the input path.

use std::path::{Path, PathBuf};

use super::review::{self, ExportChoice};
use super::setup;
use super::state::{App, Effect, Modal};
use crate::model::Template;

/// What a yes in the replace dialog writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replace {
    /// The agenda as the user template `name`.
    Template { name: String },
    /// A report in this format.
    Export(ExportChoice),
}

/// Whether writing `path` would replace a file that is there.
fn exists(app: &App, path: &Path) -> bool {
    app.existing.contains(path)
}

/// Saves the agenda as the template `name`, asking first if a template of
/// that name exists.
pub fn save_template(app: &mut App, dir: &Path, name: String) {
    let path = dir.join(format!("{name}.json"));
    if exists(app, &path) {
        app.modal = Some(Modal::ConfirmReplace {
            path,
            what: Replace::Template { name },
        });
        return;
    }
    write_template(app, path, name);
}

fn write_template(app: &mut App, path: PathBuf, name: String) {
    let template = Template::from_session(&app.session, &name);
    app.templates.retain(|(n, _)| *n != name);
    app.templates.push((name, template.clone()));
    app.existing.insert(path.clone());
    app.effects.push(Effect::SaveTemplate { path, template });
}

/// Writes a report to `path`, asking first if a file is there.
pub fn export(app: &mut App, choice: ExportChoice, path: PathBuf, bytes: Vec<u8>) {
    if exists(app, &path) {
        app.modal = Some(Modal::ConfirmReplace {
            path,
            what: Replace::Export(choice),
        });
        return;
    }
    app.existing.insert(path.clone());
    app.effects.push(Effect::Export { path, bytes });
}

/// The answer to the replace dialog: yes writes, no goes back to where the
/// name was chosen (the template's name box, the export chooser).
pub fn answer(app: &mut App, yes: bool, path: PathBuf, what: Replace) {
    app.modal = None;
    match (what, yes) {
        (Replace::Template { name }, true) => write_template(app, path, name),
        (Replace::Template { name }, false) => setup::edit_template_name(app, &name),
        (Replace::Export(choice), true) => {
            // Rendered again: the session may have changed meanwhile (a
            // tick of the clock), and the bytes were never kept.
            if let Some(bytes) = review::render_export(app, choice) {
                app.existing.insert(path.clone());
                app.effects.push(Effect::Export { path, bytes });
            }
        }
        (Replace::Export(choice), false) => app.review.export = Some(choice),
    }
}
