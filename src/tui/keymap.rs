//! The one key table: it dispatches key presses, writes the help popup and the footer,
//! so the three cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::Tab;

/// Where a binding applies. The app knows which contexts are active (always
/// [`Context::Global`], plus the current tab's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere.
    Global,
    /// Any scrolling list or table.
    List,
    /// Tables with sortable columns.
    Table,
    /// The timeline.
    Timeline,
    /// The profiles tab.
    Profiles,
    /// The MMU tab.
    Mmu,
    /// The `:` `/` `F` prompts (other keys type themselves).
    Prompt,
}

impl Context {
    /// The heading of the context's keys in the help popup.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists",
            Context::Table => "Tables",
            Context::Timeline => "Timeline",
            Context::Profiles => "Profiles",
            Context::Mmu => "MMU",
            Context::Prompt => "Prompts (: jump, / search, F filter); other keys type",
        }
    }
}

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Control (Shift is part of the character for printable keys).
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    /// How the help popup and the footer write the key.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("C-{base}") } else { base }
    }

    fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        // Terminals report Shift-Tab as BackTab, sometimes with Shift set.
        self.code == ev.code && self.ctrl == ctrl
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys (the first is the one the footer shows).
    pub keys: &'static [Key],
    /// Where it applies.
    pub context: Context,
    /// What it does.
    pub action: Action,
    /// The help text.
    pub help: &'static str,
    /// The footer's short label, if the footer shows it.
    pub footer: Option<&'static str>,
}

const fn bind(
    keys: &'static [Key],
    context: Context,
    action: Action,
    help: &'static str,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        context,
        action,
        help,
        footer,
    }
}

use Context::*;

/// Every binding. Order matters: the first binding of an active context wins, and the
/// help popup lists them in this order.
pub const BINDINGS: &[Binding] = &[
    bind(&[ch('q')], Global, Action::Quit, "quit", Some("quit")),
    bind(
        &[ch('?')],
        Global,
        Action::Help,
        "show or hide this help",
        Some("help"),
    ),
    bind(
        &[code(KeyCode::Tab)],
        Global,
        Action::NextTab,
        "next tab",
        None,
    ),
    bind(
        &[code(KeyCode::BackTab)],
        Global,
        Action::PrevTab,
        "previous tab",
        None,
    ),
    bind(
        &[ch('1')],
        Global,
        Action::GoTab(Tab::Timeline),
        "Timeline tab",
        None,
    ),
    bind(
        &[ch('2')],
        Global,
        Action::GoTab(Tab::Goroutines),
        "Goroutines tab",
        None,
    ),
    bind(
        &[ch('3')],
        Global,
        Action::GoTab(Tab::Profiles),
        "Profiles tab",
        None,
    ),
    bind(
        &[ch('4')],
        Global,
        Action::GoTab(Tab::Tasks),
        "Tasks tab",
        None,
    ),
    bind(
        &[ch('5')],
        Global,
        Action::GoTab(Tab::Regions),
        "Regions tab",
        None,
    ),
    bind(&[ch('6')], Global, Action::GoTab(Tab::Mmu), "MMU tab", None),
    bind(
        &[ch('7')],
        Global,
        Action::GoTab(Tab::Info),
        "Info tab",
        None,
    ),
    bind(
        &[code(KeyCode::Enter)],
        Global,
        Action::Enter,
        "drill in / details",
        Some("open"),
    ),
    bind(
        &[code(KeyCode::Esc), code(KeyCode::Backspace)],
        Global,
        Action::Back,
        "back / close",
        Some("back"),
    ),
    bind(
        &[code(KeyCode::Up), ch('k')],
        List,
        Action::Up,
        "move up",
        None,
    ),
    bind(
        &[code(KeyCode::Down), ch('j')],
        List,
        Action::Down,
        "move down",
        Some("move"),
    ),
    bind(
        &[code(KeyCode::PageUp)],
        List,
        Action::PageUp,
        "page up",
        None,
    ),
    bind(
        &[code(KeyCode::PageDown), ch(' ')],
        List,
        Action::PageDown,
        "page down",
        None,
    ),
    bind(
        &[ch('g'), code(KeyCode::Home)],
        List,
        Action::Top,
        "first row",
        None,
    ),
    bind(
        &[ch('G'), code(KeyCode::End)],
        List,
        Action::Bottom,
        "last row",
        None,
    ),
    bind(
        &[code(KeyCode::Left), ch('h')],
        Table,
        Action::Left,
        "previous column",
        None,
    ),
    bind(
        &[code(KeyCode::Right), ch('l')],
        Table,
        Action::Right,
        "next column",
        Some("column"),
    ),
    bind(
        &[ch('s')],
        Table,
        Action::Sort,
        "sort by the column (again: reverse)",
        Some("sort"),
    ),
    bind(
        &[code(KeyCode::Up), ch('k')],
        Timeline,
        Action::Up,
        "row up",
        None,
    ),
    bind(
        &[code(KeyCode::Down), ch('j')],
        Timeline,
        Action::Down,
        "row down",
        None,
    ),
    bind(
        &[code(KeyCode::PageUp)],
        Timeline,
        Action::PageUp,
        "rows page up",
        None,
    ),
    bind(
        &[code(KeyCode::PageDown)],
        Timeline,
        Action::PageDown,
        "rows page down",
        None,
    ),
    bind(
        &[code(KeyCode::Left), ch('h'), ch('a')],
        Timeline,
        Action::Left,
        "pan left",
        None,
    ),
    bind(
        &[code(KeyCode::Right), ch('l'), ch('d')],
        Timeline,
        Action::Right,
        "pan right",
        Some("pan"),
    ),
    bind(
        &[ch('+'), ch('w'), ch('=')],
        Timeline,
        Action::ZoomIn,
        "zoom in",
        Some("zoom"),
    ),
    bind(
        &[ch('-'), ch('s')],
        Timeline,
        Action::ZoomOut,
        "zoom out",
        None,
    ),
    bind(&[ch('0')], Timeline, Action::ZoomAll, "whole trace", None),
    bind(
        &[ch('f')],
        Timeline,
        Action::ZoomFit,
        "fit the slice under the cursor",
        None,
    ),
    bind(
        &[ch('.')],
        Timeline,
        Action::NextSlice,
        "next slice on the row",
        Some("slice"),
    ),
    bind(
        &[ch(',')],
        Timeline,
        Action::PrevSlice,
        "previous slice on the row",
        None,
    ),
    bind(
        &[ch('t')],
        Timeline,
        Action::ToggleRows,
        "rows: Ps → threads → goroutines of the group",
        Some("rows"),
    ),
    bind(
        &[ch('p')],
        Profiles,
        Action::NextKind,
        "next profile: network, sync, syscall, scheduler",
        Some("profile"),
    ),
    bind(
        &[ch('c')],
        Profiles,
        Action::Scope,
        "scope to a goroutine group (cycles; last: whole trace)",
        Some("scope"),
    ),
    bind(
        &[ch('e')],
        Profiles,
        Action::Export,
        "export the profile (pprof) next to the trace",
        Some("export"),
    ),
    bind(
        &[ch('S')],
        Mmu,
        Action::ToggleStw,
        "count stop-the-world as GC",
        None,
    ),
    bind(
        &[ch('b')],
        Mmu,
        Action::ToggleBackground,
        "count background mark workers as GC",
        None,
    ),
    bind(
        &[ch('A')],
        Mmu,
        Action::ToggleAssist,
        "count mark assists as GC",
        None,
    ),
    bind(
        &[ch('W')],
        Mmu,
        Action::ToggleSweep,
        "count sweeping as GC",
        None,
    ),
    bind(
        &[ch('P')],
        Mmu,
        Action::TogglePerProc,
        "one series per P",
        Some("flags S b A W P"),
    ),
    bind(
        &[code(KeyCode::Left), ch('h')],
        Mmu,
        Action::Left,
        "smaller window",
        None,
    ),
    bind(
        &[code(KeyCode::Right), ch('l')],
        Mmu,
        Action::Right,
        "larger window",
        Some("window"),
    ),
    bind(
        &[ch('['), ch('i')],
        Timeline,
        Action::FollowIn,
        "follow the incoming flow to its cause",
        Some("flows"),
    ),
    bind(
        &[ch(']'), ch('o')],
        Timeline,
        Action::FollowOut,
        "follow an outgoing flow (picker if several)",
        None,
    ),
    bind(
        &[ctrl('o')],
        Global,
        Action::HistoryBack,
        "back in the navigation history",
        None,
    ),
    bind(
        &[ctrl('i'), ctrl('n')],
        Global,
        Action::HistoryForward,
        "forward in the history (C-n where C-i acts as Tab)",
        None,
    ),
    bind(
        &[ch(':')],
        Global,
        Action::Jump,
        "jump: g123, p3, m5, 1.25s, +20us, task 42, or a name (fuzzy)",
        Some("jump"),
    ),
    bind(
        &[ch('/')],
        Global,
        Action::Search,
        "search slices and logs: names, stacks, reasons, messages",
        Some("search"),
    ),
    bind(
        &[ch('n')],
        Timeline,
        Action::NextMatch,
        "next search match",
        None,
    ),
    bind(
        &[ch('N')],
        Timeline,
        Action::PrevMatch,
        "previous search match",
        None,
    ),
    bind(
        &[ch('e')],
        Timeline,
        Action::ShowEvents,
        "the goroutine's events before and after the cursor, with stacks",
        Some("events"),
    ),
    bind(
        &[ch('c')],
        Timeline,
        Action::ShowChain,
        "all connected: the chain of causes walked back",
        Some("causes"),
    ),
    bind(
        &[ch('F')],
        Global,
        Action::Filter,
        "filter goroutines: name, group:, state:, blocked>1ms, window:, task:, region:, interacts (Esc clears)",
        Some("filter"),
    ),
    bind(
        &[ch('t')],
        Table,
        Action::ShowGroupRows,
        "Goroutines: the group's goroutines as timeline rows",
        None,
    ),
    bind(
        &[code(KeyCode::Enter)],
        Prompt,
        Action::Enter,
        "jump / search / apply the filter",
        Some("go"),
    ),
    bind(
        &[code(KeyCode::Esc)],
        Prompt,
        Action::Back,
        "cancel",
        Some("cancel"),
    ),
    bind(
        &[code(KeyCode::Up)],
        Prompt,
        Action::Up,
        "previous candidate",
        None,
    ),
    bind(
        &[code(KeyCode::Down), code(KeyCode::Tab)],
        Prompt,
        Action::Down,
        "next candidate",
        Some("choose"),
    ),
    bind(
        &[code(KeyCode::Backspace)],
        Prompt,
        Action::DeleteChar,
        "delete a character",
        None,
    ),
    bind(
        &[ctrl('u')],
        Prompt,
        Action::ClearLine,
        "clear the line",
        Some("clear"),
    ),
];

/// The action bound to `ev` in the first of `contexts` that binds it.
pub fn dispatch(ev: &KeyEvent, contexts: &[Context]) -> Option<Action> {
    BINDINGS
        .iter()
        .find(|b| contexts.contains(&b.context) && b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// The footer entries for the active contexts: (key label, short text).
pub fn footer(contexts: &[Context]) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| contexts.contains(&b.context))
        .filter_map(|b| {
            let label = match b.action {
                // Pairs read better together.
                Action::Right if b.context == Timeline => "←→".to_string(),
                Action::Down => "↑↓".to_string(),
                Action::ZoomIn => "+-".to_string(),
                Action::NextSlice => ".,".to_string(),
                Action::FollowIn => "[]".to_string(),
                Action::Right => "←→".to_string(),
                _ => b.keys[0].label(),
            };
            Some((label, b.footer?))
        })
        .collect()
}

/// The help popup's lines: per context, (keys, text).
pub fn help() -> Vec<(Context, Vec<(String, &'static str)>)> {
    let mut out: Vec<(Context, Vec<(String, &'static str)>)> = Vec::new();
    for b in BINDINGS {
        let keys = b
            .keys
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" ");
        match out.iter_mut().find(|(c, _)| *c == b.context) {
            Some((_, v)) => v.push((keys, b.help)),
            None => out.push((b.context, vec![(keys, b.help)])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_contexts_active_together() {
        // Global is active with every other context; List and Table go together.
        let together: &[&[Context]] = &[
            &[Global, List, Table],
            &[Global, Timeline],
            &[Global, List, Profiles],
            &[Global, Mmu, List],
        ];
        for set in together {
            let mut seen: Vec<(Key, Context)> = Vec::new();
            for b in BINDINGS.iter().filter(|b| set.contains(&b.context)) {
                for k in b.keys {
                    if let Some((_, c)) = seen.iter().find(|(x, _)| x == k) {
                        panic!("{:?} bound in {c:?} and {:?}", k.label(), b.context);
                    }
                    seen.push((*k, b.context));
                }
            }
        }
    }

    #[test]
    fn dispatch_uses_the_active_contexts() {
        let s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
        assert_eq!(dispatch(&s, &[Global, Timeline]), Some(Action::ZoomOut));
        assert_eq!(dispatch(&s, &[Global, List, Table]), Some(Action::Sort));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(dispatch(&q, &[Global]), Some(Action::Quit));
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(dispatch(&ctrl_q, &[Global]), None);
    }

    #[test]
    fn every_action_in_the_footer_is_in_the_help() {
        let help = help();
        for (c, entries) in &help {
            assert!(!entries.is_empty(), "{c:?}");
        }
        assert!(
            footer(&[Global])
                .iter()
                .any(|(k, t)| k == "q" && *t == "quit")
        );
    }
}
