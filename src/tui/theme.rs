//! Colours: 256 colours where the terminal says it has them, the 16 ANSI colours
//! otherwise, none at all with `NO_COLOR` (<https://no-color.org>).

use ratatui::style::{Color, Modifier, Style};

/// How many colours to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// No colour: attributes (bold, reverse) only.
    Mono,
    /// The 16 ANSI colours.
    Ansi16,
    /// The xterm 256-colour cube.
    Xterm256,
}

/// The app's colours.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// The palette in use.
    pub palette: Palette,
}

/// Goroutine-group colours, 256-colour palette: distinguishable, not too dark.
const GROUP_256: [u8; 12] = [75, 114, 215, 176, 80, 222, 141, 209, 150, 117, 203, 186];
const GROUP_16: [Color; 6] = [
    Color::Blue,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Cyan,
    Color::Red,
];

impl Theme {
    /// The theme for this terminal, from `NO_COLOR`, `COLORTERM` and `TERM`.
    pub fn detect() -> Theme {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        let palette = if !var("NO_COLOR").is_empty() {
            Palette::Mono
        } else if var("COLORTERM").contains("truecolor")
            || var("COLORTERM").contains("24bit")
            || var("TERM").contains("256")
        {
            Palette::Xterm256
        } else {
            Palette::Ansi16
        };
        Theme { palette }
    }

    /// A fixed theme (tests).
    pub fn new(palette: Palette) -> Theme {
        Theme { palette }
    }

    fn fg(self, c256: u8, c16: Color) -> Style {
        match self.palette {
            Palette::Mono => Style::default(),
            Palette::Ansi16 => Style::default().fg(c16),
            Palette::Xterm256 => Style::default().fg(Color::Indexed(c256)),
        }
    }

    /// The colour of goroutine group number `i`.
    pub fn group(self, i: u32) -> Style {
        match self.palette {
            Palette::Mono => Style::default(),
            Palette::Ansi16 => Style::default().fg(GROUP_16[i as usize % GROUP_16.len()]),
            Palette::Xterm256 => {
                Style::default().fg(Color::Indexed(GROUP_256[i as usize % GROUP_256.len()]))
            }
        }
    }

    /// Title bar.
    pub fn title(self) -> Style {
        match self.palette {
            Palette::Mono => Style::default().add_modifier(Modifier::REVERSED),
            Palette::Ansi16 => Style::default().fg(Color::Black).bg(Color::Cyan),
            Palette::Xterm256 => Style::default()
                .fg(Color::Indexed(231))
                .bg(Color::Indexed(24)),
        }
    }

    /// The selected row of a list, the cursor.
    pub fn selected(self) -> Style {
        match self.palette {
            Palette::Mono => Style::default().add_modifier(Modifier::REVERSED),
            Palette::Ansi16 => Style::default().bg(Color::Blue).fg(Color::White),
            Palette::Xterm256 => Style::default().bg(Color::Indexed(237)),
        }
        .add_modifier(Modifier::BOLD)
    }

    /// Headers, the active tab, key names.
    pub fn header(self) -> Style {
        self.fg(81, Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: units, hints, empty cells.
    pub fn dim(self) -> Style {
        match self.palette {
            Palette::Mono => Style::default().add_modifier(Modifier::DIM),
            _ => self.fg(244, Color::DarkGray),
        }
    }

    /// Warnings and errors.
    pub fn warn(self) -> Style {
        self.fg(203, Color::Red).add_modifier(Modifier::BOLD)
    }

    /// GC activity.
    pub fn gc(self) -> Style {
        self.fg(208, Color::Yellow)
    }

    /// Stop-the-world.
    pub fn stw(self) -> Style {
        self.fg(196, Color::Red)
    }

    /// Goroutine states, for state strips: running, runnable, blocked, syscall, other.
    pub fn state(self, s: StateColor) -> Style {
        match s {
            StateColor::Running => self.fg(78, Color::Green),
            StateColor::Runnable => self.fg(221, Color::Yellow),
            StateColor::Syscall => self.fg(141, Color::Magenta),
            StateColor::Network => self.fg(75, Color::Blue),
            StateColor::Sync => self.fg(203, Color::Red),
            StateColor::Blocked => self.fg(245, Color::Gray),
        }
    }

    /// Whether colours are shown at all (else glyphs must carry the meaning).
    pub fn has_color(self) -> bool {
        self.palette != Palette::Mono
    }
}

/// The colour families of goroutine states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateColor {
    /// Executing.
    Running,
    /// Waiting for a P.
    Runnable,
    /// In a system call.
    Syscall,
    /// Blocked on the network.
    Network,
    /// Blocked on channels, select, sync.
    Sync,
    /// Blocked otherwise (sleep, GC, …).
    Blocked,
}

impl StateColor {
    /// Every family, in a fixed order (running first).
    pub const ALL: [StateColor; 6] = [
        StateColor::Running,
        StateColor::Runnable,
        StateColor::Syscall,
        StateColor::Network,
        StateColor::Sync,
        StateColor::Blocked,
    ];

    /// The family of a block reason: the network, synchronization (channels, select,
    /// sync, as the sync profile counts them), or anything else.
    pub fn of_reason(reason: &str) -> StateColor {
        if reason == "network" {
            StateColor::Network
        } else if crate::analysis::goroutines::is_sync_reason(reason) {
            StateColor::Sync
        } else {
            StateColor::Blocked
        }
    }

    /// The family of a goroutine state.
    pub fn of_state(s: &crate::analysis::gstates::State) -> StateColor {
        use crate::analysis::gstates::State;
        match s {
            State::Running => StateColor::Running,
            State::Runnable => StateColor::Runnable,
            State::Syscall | State::SyscallBlocked => StateColor::Syscall,
            State::Waiting(r) => StateColor::of_reason(r.text()),
        }
    }
}
