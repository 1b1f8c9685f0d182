//! Reference ticket receiver and demo server: stores tickets, trusts nothing from the browser.
