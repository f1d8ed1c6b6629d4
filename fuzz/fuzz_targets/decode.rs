//! Fuzz target: every decoding entry point over arbitrary bytes must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    gotrace_tui::trace::selfcheck::exercise(data);
});
