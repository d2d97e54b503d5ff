//! The panes of the screen, one module each.

pub mod checks;
pub mod cluster;
pub mod events;
pub mod footer;
pub mod groups;
pub mod header;
pub mod logs;
pub mod producers;
pub mod registry;
