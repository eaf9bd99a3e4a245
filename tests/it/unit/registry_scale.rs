use clap::{ArgMatches, Command};
use clap::{Args, FromArgMatches};
use nnlimits::registry::scale::*;

#[derive(Debug, Clone, clap::Args, PartialEq)]
struct Demo {
    #[arg(value_name = "EXPR")]
    expr: String,
    #[arg(long, default_value_t = 1000)]
    n: usize,
    #[arg(long, default_value_t = 500)]
    d: usize,
    #[arg(long)]
    widths: Option<String>,
    #[arg(long, default_value_t = 0.5)]
    ratio: f64,
    #[arg(long)]
    raw: bool,
    #[arg(long)]
    theory: Option<f64>,
}

fn parse(words: &[&str]) -> (Command, ArgMatches) {
    let cmd = Demo::augment_args(Command::new("demo")).no_binary_name(true);
    let m = cmd.clone().try_get_matches_from(words).unwrap();
    (cmd, m)
}

#[test]
fn sizes_scale_together_and_everything_else_is_kept() {
    let (cmd, m) = parse(&[
        "--d",
        "400",
        "--widths",
        "400,800",
        "--raw",
        "--theory=-2.5",
        "--",
        "-1 * mp(0.5)",
    ]);
    let sizes = ["n", "d", "widths"];
    let w = scaled_words(&cmd, &m, &sizes, 0.25).unwrap();
    let half = Demo::from_arg_matches(&reparse(cmd.clone(), w).unwrap()).unwrap();
    assert_eq!(
        half,
        Demo {
            expr: "-1 * mp(0.5)".into(),
            n: 250,
            d: 100,
            widths: Some("100,200".into()),
            ratio: 0.5,
            raw: true,
            theory: Some(-2.5),
        }
    );
    // factor 1 reproduces the arguments
    let same = scaled_words(&cmd, &m, &sizes, 1.0).unwrap();
    let again = Demo::from_arg_matches(&reparse(cmd.clone(), same).unwrap()).unwrap();
    assert_eq!(again, Demo::from_arg_matches(&m).unwrap());
    // sizes round to integers >= 1
    assert_eq!(scale_value("n", "3", 0.1).unwrap(), "1");
    assert_eq!(scale_value("n", "10,30", 0.25).unwrap(), "3,8");
    assert!(scale_value("n", "x", 0.5).is_err());
}

#[test]
fn trend_factors_are_checked() {
    assert_eq!(trend_factors(&[0.25, 1.0, 0.5]).unwrap(), [1.0, 0.5, 0.25]);
    assert!(trend_factors(&[1.0]).is_err());
    assert!(trend_factors(&[1.0, 1.0]).is_err());
    assert!(trend_factors(&[1.0, 0.0]).is_err());
    assert!(trend_factors(&[1.0, f64::NAN]).is_err());
}
