//! Every user intent, as one flat enum: keys, mouse and tests all speak it.

use super::app::Tab;

/// A user intent. The key table ([`super::keymap`]) maps keys to these; the app and its
/// views interpret them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the app.
    Quit,
    /// Show or hide the help popup.
    Help,
    /// Next tab.
    NextTab,
    /// Previous tab.
    PrevTab,
    /// A given tab.
    GoTab(Tab),
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// Up one page.
    PageUp,
    /// Down one page.
    PageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Pan left in time, or the previous column in a table.
    Left,
    /// Pan right in time, or the next column in a table.
    Right,
    /// Zoom in around the cursor.
    ZoomIn,
    /// Zoom out around the cursor.
    ZoomOut,
    /// Show the whole trace.
    ZoomAll,
    /// Zoom to the selection (the slice under the cursor).
    ZoomFit,
    /// Next slice on the row.
    NextSlice,
    /// Previous slice on the row.
    PrevSlice,
    /// Drill in / open details.
    Enter,
    /// Back out of a drill-down or close a popup.
    Back,
    /// Sort by the column under the cursor (again: reverse).
    Sort,
    /// Timeline: cycle rows between Ps, threads and the goroutines of a group.
    ToggleRows,
    /// Profiles: next profile type.
    NextKind,
    /// Profiles: scope to the selected goroutine group (again: whole trace).
    Scope,
    /// Export the current profile as a pprof file next to the trace.
    Export,
    /// MMU: toggle stop-the-world time as GC.
    ToggleStw,
    /// MMU: toggle background mark workers as GC.
    ToggleBackground,
    /// MMU: toggle mark assists as GC.
    ToggleAssist,
    /// MMU: toggle sweeping as GC.
    ToggleSweep,
    /// MMU: toggle one series per P.
    TogglePerProc,
    /// Scroll the view up (mouse wheel).
    ScrollUp,
    /// Scroll the view down (mouse wheel).
    ScrollDown,
    /// Follow the selected slice's incoming flow to its cause.
    FollowIn,
    /// Follow an outgoing flow of the selected slice (a picker when there are several).
    FollowOut,
    /// Navigation history: back.
    HistoryBack,
    /// Navigation history: forward.
    HistoryForward,
    /// Open the jump prompt.
    Jump,
    /// Open the search prompt.
    Search,
    /// Next search match, in time order.
    NextMatch,
    /// Previous search match.
    PrevMatch,
    /// Timeline: the selected goroutine's events around the cursor.
    ShowEvents,
    /// Timeline: the chain of causes of the selected slice ("all connected").
    ShowChain,
    /// Open the goroutine filter prompt.
    Filter,
    /// Goroutines tab: show the selected group's goroutines as timeline rows.
    ShowGroupRows,
    /// Prompt: delete the character before the cursor.
    DeleteChar,
    /// Prompt: clear the line.
    ClearLine,
    /// A mouse click at a screen cell (timeline: select the row and put the cursor there).
    Click {
        /// Screen column.
        column: u16,
        /// Screen row.
        row: u16,
    },
}
