//! EQL lexer.
