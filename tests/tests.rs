//! Integration tests, built as one test binary: they run the built `sou` binary on temporary corpora (see
//! `util`) and on the bundled page, one module per theme.
//!
//! Every `search_json` call also checks the hits' offsets and highlights (see `util::TestEnv::check_hits`).

mod hay;
mod util;

mod analyze;
mod append;
mod archive;
mod batch;
mod bundled_page;
mod cli_args;
mod corpus_files;
mod formats;
mod honest;
mod html_pages;
mod index_life;
mod office_files;
mod output;
mod passages;
mod pdf;
mod problem_input;
mod query_syntax;
mod ranking;
mod readme;
mod recall;
mod recovery;
mod reprints;
mod serve;
mod settings;
mod show;
mod snippets;
mod solr;
mod solr_errors;
mod staleness;
mod user_dict;
