//! All integration tests in one binary (one link of the crate instead of one per file: a fresh
//! `cargo test` compiles much faster).

mod budget;
mod check;
mod cli;
mod cli_expr;
mod cli_fim;
mod cli_gep;
mod cli_hardening;
mod cli_ntk_deep;
mod cli_properties;
mod cli_registry_bayes;
mod cli_registry_fim;
mod common;
mod each_check_fails;
mod examples_gated;
mod fim;
mod fim_dataeq;
mod fim_outputs;
mod fim_population;
mod free_expr;
mod free_hard_edges;
mod free_narrow;
mod gep;
mod golden;
mod mp;
mod one_draw;
mod profiles_in_step;
mod properties;
mod properties_fim;
mod registry;
mod self_contained;
mod semicircle;
mod table;
mod trend;
mod unit;
mod validator_power;
