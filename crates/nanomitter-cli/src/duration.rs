//! Durations on the command line: `500ms`, `5s`, `1.5s`, `2m`, `1h`, or a bare number of seconds.
//!
//! Owns: parsing one duration argument, and printing one back the same way. It must not know
//! which option it parses for (clap names the option in its error).

use std::time::Duration;

/// Parses `500ms`, `5s`, `1.5s`, `2m`, `1h` or a bare number of seconds (`0.25`).
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => {
            return Err(format!("unknown unit {other:?} (use ms, s, m or h, as in 500ms or 5s)"))
        }
    };
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 500ms, 5s, 1.5s, 2m)"))?;
    Duration::try_from_secs_f64(number * seconds_per_unit)
        .map_err(|_| format!("{text:?} is out of range"))
}

/// A duration as a person reads it: `750ms`, `5s`, `1.5s`, `2m30s`.
pub fn show(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{millis}ms")
    } else if duration.as_secs() < 60 {
        let seconds = duration.as_secs_f64();
        if seconds.fract() == 0.0 {
            format!("{seconds}s")
        } else {
            format!("{}s", format!("{seconds:.3}").trim_end_matches('0'))
        }
    } else {
        let (minutes, seconds) = (duration.as_secs() / 60, duration.as_secs() % 60);
        if seconds == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{seconds}s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_and_bare_seconds() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in ["", "s", "5 parsecs", "-1s", "1e3", "fast", "5ss"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shows_durations_readably() {
        assert_eq!(show(Duration::from_millis(750)), "750ms");
        assert_eq!(show(Duration::from_secs(5)), "5s");
        assert_eq!(show(Duration::from_millis(1500)), "1.5s");
        assert_eq!(show(Duration::from_secs(150)), "2m30s");
        assert_eq!(show(Duration::from_secs(120)), "2m");
    }
}
