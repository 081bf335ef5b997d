//! Leaving a session when the saver does not answer (a hung network
//! disk, a FIFO where a file should be): the program never waits more
//! than [`QUIT_WAIT`] for it, and then says where the unsaved text is.

use std::sync::mpsc;
use std::time::Duration;

use crate::app::App;
use crate::cli::Failure;
use crate::store;

/// How long quitting, a signal or a hang-up waits for the saver.
pub const QUIT_WAIT: Duration = Duration::from_secs(2);

/// Of [`QUIT_WAIT`], what is left for the saver thread to wind up once
/// every save was reported (it writes the first-screen record last).
pub const FINISH_FLOOR: Duration = Duration::from_millis(250);

/// How long the draft's own rescue write may take, apart from the saver
/// (which may be stuck on another file).
const RESCUE_WAIT: Duration = Duration::from_millis(500);

/// The failure to report once the saver did not finish in time: the
/// editor's text is written to the draft from a thread of its own, and
/// printed if even that does not answer.
pub fn stuck(app: &App) -> Failure {
    let mut said = format!(
        "{}: NOT everything was saved (the disk did not answer within {} s)",
        app.path.display(),
        QUIT_WAIT.as_secs()
    );
    let mut hint = "the session file holds what was saved before; check the sessions folder (a hung network disk, a FIFO or device where a file should be), then reopen the session".to_string();
    if app.read_only.is_none() && !app.draft_is_empty() {
        let draft_path = store::draft_path(&app.path);
        match rescue_draft(app) {
            Ok(()) => said.push_str(&format!(
                "; the text in the editor is saved in {}",
                draft_path.display()
            )),
            Err(why) => {
                said.push_str(&format!(
                    "; the text in the editor could not be written to {} ({why}), here it is:",
                    draft_path.display()
                ));
                for line in app.draft_text().lines() {
                    said.push_str("\n  | ");
                    said.push_str(&crate::model::display::sanitize_line(line));
                }
            }
        }
    }
    if app.has_unsaved() {
        hint = format!(
            "the latest changes to the session itself (entries committed since the last save) are not in its file; {hint}"
        );
    }
    Failure::new(said).hint(hint)
}

fn rescue_draft(app: &App) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let (path, draft) = (app.path.clone(), app.draft());
    std::thread::Builder::new()
        .name("rapporteur-rescue".into())
        .spawn(move || {
            let _ = tx.send(store::save_draft(&path, &draft).map_err(|e| e.to_string()));
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(RESCUE_WAIT) {
        Ok(r) => r,
        Err(_) => Err("the disk did not answer".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::{Action, update};
    use crate::model::{Session, Stamp, Template};

    /// Only the saver is stuck (the draft's folder answers): the message
    /// names the draft file, which holds the editor's text.
    #[test]
    fn a_stuck_saver_leaves_the_text_in_the_draft_and_says_where() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().expect("stamp");
        let s = Session::from_template(&Template::builtin(), Some("Stuck"), t0);
        let path = store::Store::new(dir.path()).create(&s).expect("create");
        let opened = super::super::open_session(path.clone(), t0).expect("open");
        let mut app = opened.app;
        for c in "не сохранено".chars() {
            update(
                &mut app,
                Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
        }
        let f = stuck(&app);
        let draft = store::draft_path(&path);
        assert!(
            f.message.contains("NOT everything was saved")
                && f.message.contains(&format!("saved in {}", draft.display())),
            "{}",
            f.message
        );
        let on_disk = store::load_draft(&path).expect("the draft is on disk");
        assert_eq!(on_disk.text, "не сохранено");
    }
}
