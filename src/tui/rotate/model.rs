//! The rotation screens' model: the pure [`Rotation`] machine plus what only the screens need
//! (the help overlay, the spinner, the cursor of the second-key choice, and whether the person
//! asked to stop). Intents become machine messages; the machine's effects go back to the loop.

use crate::flows::rotate::{Effect, Msg, Rotation, Step};
use crate::flows::setup::Status;

/// What a key press means on the rotation screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Enter: continue, choose, rotate, retry, close.
    Next,
    /// Esc: the previous screen, before anything changed.
    Back,
    Up,
    Down,
    Help,
    /// Close the help.
    Dismiss,
    /// q or Ctrl-C: leave now before the run, stop at a safe point during it.
    Quit,
}

/// Everything the model reacts to.
#[derive(Debug)]
pub enum UiMsg {
    Intent(Intent),
    /// A result from the runner.
    Result(Msg),
    /// The spinner clock.
    Tick,
    /// The terminal changed size: only a redraw.
    Resize,
    /// A signal or the end of input: stop as soon as the files hold a working key.
    Terminate,
}

/// The rotation screens' state.
#[derive(Debug)]
pub struct RotateModel {
    pub rotation: Rotation,
    pub help: bool,
    pub spinner: usize,
    /// The highlighted answer on the second-key screen: delete it (`true`) or stop.
    pub delete_other: bool,
    /// The person asked to stop while the run was going.
    pub stopping: bool,
    terminated: bool,
    quit: bool,
}

impl RotateModel {
    pub fn new(rotation: Rotation) -> RotateModel {
        RotateModel {
            rotation,
            help: false,
            spinner: 0,
            delete_other: true,
            stopping: false,
            terminated: false,
            quit: false,
        }
    }

    /// Whether a step of the run is in flight.
    pub fn running(&self) -> bool {
        self.rotation
            .run
            .iter()
            .any(|item| matches!(item.status, Status::Running(_)))
    }

    /// Whether the run is stuck on a failure (nothing in flight, a problem shown).
    pub fn run_failed(&self) -> bool {
        self.rotation.step == Step::Run
            && !self.running()
            && self
                .rotation
                .run
                .iter()
                .any(|item| matches!(item.status, Status::Failed(_)))
    }

    /// Whether the spinner has anything to turn for.
    pub fn is_animating(&self) -> bool {
        self.rotation.is_waiting() || self.running()
    }

    /// Whether the loop should end now.
    pub fn quitting(&self) -> bool {
        self.quit || (self.terminated && (self.rotation.step != Step::Run || !self.running()))
    }

    pub fn update(&mut self, msg: UiMsg) -> Vec<Effect> {
        match msg {
            UiMsg::Intent(intent) => self.intent(intent),
            UiMsg::Result(msg) => self.rotation.update(msg),
            UiMsg::Tick => {
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            UiMsg::Resize => Vec::new(),
            UiMsg::Terminate => {
                self.terminated = true;
                self.stop()
            }
        }
    }

    fn intent(&mut self, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Help => {
                self.help = true;
                Vec::new()
            }
            Intent::Dismiss => {
                self.help = false;
                Vec::new()
            }
            Intent::Up => {
                self.delete_other = true;
                Vec::new()
            }
            Intent::Down => {
                self.delete_other = false;
                Vec::new()
            }
            Intent::Next => match self.rotation.step {
                Step::OtherKey => self.rotation.update(Msg::DeleteOtherKey(self.delete_other)),
                Step::Done => {
                    self.quit = true;
                    Vec::new()
                }
                _ => self.rotation.update(Msg::Next),
            },
            Intent::Back => {
                if self.rotation.step == Step::Review {
                    // Back on the second-key screen, the cursor starts where the answer was.
                    self.delete_other = self.rotation.delete_other.unwrap_or(true);
                }
                self.rotation.update(Msg::Back)
            }
            Intent::Quit => self.stop(),
        }
    }

    /// q, Ctrl-C or a signal. Before the run nothing has changed: leave at once. During it the
    /// machine is told, and stops where the files hold the old key or a verified new key; asked
    /// again, the screens leave only if that is already so.
    fn stop(&mut self) -> Vec<Effect> {
        match self.rotation.step {
            Step::Done => {
                self.quit = true;
                Vec::new()
            }
            Step::Run if !self.stopping => {
                self.stopping = true;
                let effects = self.rotation.update(Msg::Interrupt);
                if !self.running() && self.rotation.step == Step::Run {
                    // Stuck on a failure: nothing more will happen by waiting.
                    self.quit = true;
                }
                effects
            }
            Step::Run => {
                if self.rotation.is_safe_to_stop() || !self.running() {
                    self.quit = true;
                }
                Vec::new()
            }
            _ => {
                let effects = self.rotation.update(Msg::Interrupt);
                self.quit = true;
                effects
            }
        }
    }
}
