//! One function per plot kind, each drawing into an SVG string.

use super::PlotInput;
use plotters::prelude::*;


/// Colours of chains 1, 2, ... (matplotlib's "tab10"), repeating.
const CHAIN_COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];
const FONT: &str = "sans-serif";

fn colour(chain: usize) -> RGBColor {
    CHAIN_COLOURS[chain % CHAIN_COLOURS.len()]
}

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw the plot: {e}")
}

/// The range of the values with 5% room on both sides (a constant gets a
/// unit range around it).
fn range<'a>(values: impl Iterator<Item = &'a f64>) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if hi - lo < 1e-12 {
        return lo - 0.5..hi + 0.5;
    }
    let room = (hi - lo) * 0.05;
    lo - room..hi + room
}

/// Sorted finite values.
fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The `q` quantile of sorted values (linear interpolation).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos - pos.floor());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + frac * (next - sorted[i])
}

/// A histogram's density over `bins` equal bins of `range`, as the
/// points of a step line.
fn density_steps(values: &[f64], range: &std::ops::Range<f64>, bins: usize) -> Vec<(f64, f64)> {
    let width = (range.end - range.start) / bins as f64;
    let mut counts = vec![0usize; bins];
    let mut n = 0usize;
    for &v in values.iter().filter(|v| v.is_finite()) {
        let b = ((v - range.start) / width).floor();
        if b >= 0.0 && (b as usize) < bins {
            counts[b as usize] += 1;
        }
        n += 1;
    }
    let scale = if n == 0 { 0.0 } else { 1.0 / (n as f64 * width) };
    let mut out = Vec::with_capacity(2 * bins + 2);
    out.push((range.start, 0.0));
    for (b, &c) in counts.iter().enumerate() {
        let h = c as f64 * scale;
        out.push((range.start + b as f64 * width, h));
        out.push((range.start + (b + 1) as f64 * width, h));
    }
    out.push((range.end, 0.0));
    out
}

fn chain_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 12))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| err(format!("{e:?}")))
}

/// Trace plots: one panel per variable, one line per chain.
pub fn trace(out: &mut String, input: &PlotInput) -> Result<(), String> {
    let n = input.series.len();
    let root = SVGBackend::with_string(out, (900, 40 + 200 * n as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("{}: trace", input.title), (FONT, 18)).map_err(err)?;
    for (k, (s, area)) in input.series.iter().zip(root.split_evenly((n, 1))).enumerate() {
        let draws = s.chains.iter().map(|c| c.len()).max().unwrap_or(1).max(2);
        let mut chart = ChartBuilder::on(&area)
            .caption(&s.label, (FONT, 14))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..draws as f64, range(s.chains.iter().flatten()))
            .map_err(err)?;
        chart.configure_mesh().x_desc("draw").x_label_formatter(&|x| format!("{x:.0}")).light_line_style(WHITE).label_style((FONT, 11)).draw().map_err(err)?;
        for (c, chain) in s.chains.iter().enumerate() {
            let col = colour(c);
            chart
                .draw_series(LineSeries::new(chain.iter().enumerate().map(|(i, &v)| (i as f64, v)), col.stroke_width(1)))
                .map_err(err)?
                .label(format!("chain {}", c + 1))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
        }
        if k == 0 {
            chain_legend(&mut chart)?;
        }
    }
    root.present().map_err(err)
}

/// Rank plots: the draws of all chains ranked together; per chain, a
/// histogram of its ranks. Well-mixed chains give flat histograms around
/// the dashed line.
pub fn rank(out: &mut String, input: &PlotInput) -> Result<(), String> {
    let n = input.series.len();
    let root = SVGBackend::with_string(out, (900, 40 + 220 * n as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("{}: rank plot", input.title), (FONT, 18)).map_err(err)?;
    for (k, (s, area)) in input.series.iter().zip(root.split_evenly((n, 1))).enumerate() {
        let mut all: Vec<(f64, usize)> = Vec::new();
        for (c, chain) in s.chains.iter().enumerate() {
            all.extend(chain.iter().map(|&v| (v, c)));
        }
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total = all.len().max(1);
        let bins = 20usize;
        let mut counts = vec![vec![0usize; bins]; s.chains.len()];
        for (r, &(_, c)) in all.iter().enumerate() {
            counts[c][(r * bins / total).min(bins - 1)] += 1;
        }
        let expected = total as f64 / (bins * s.chains.len().max(1)) as f64;
        let top = counts.iter().flatten().copied().max().unwrap_or(1) as f64 * 1.15;
        let mut chart = ChartBuilder::on(&area)
            .caption(&s.label, (FONT, 14))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..total as f64, 0.0..top.max(expected * 1.5))
            .map_err(err)?;
        chart.configure_mesh().x_desc("rank (all chains)").y_desc("draws").x_label_formatter(&|x| format!("{x:.0}")).y_label_formatter(&|y| format!("{y:.0}")).light_line_style(WHITE).label_style((FONT, 11)).draw().map_err(err)?;
        let width = total as f64 / bins as f64;
        for (c, counts) in counts.iter().enumerate() {
            let col = colour(c);
            let mut steps = vec![(0.0, 0.0)];
            for (b, &k) in counts.iter().enumerate() {
                steps.push((b as f64 * width, k as f64));
                steps.push(((b + 1) as f64 * width, k as f64));
            }
            steps.push((total as f64, 0.0));
            chart
                .draw_series(LineSeries::new(steps, col.stroke_width(2)))
                .map_err(err)?
                .label(format!("chain {}", c + 1))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
        }
        chart
            .draw_series(DashedLineSeries::new(vec![(0.0, expected), (total as f64, expected)], 6, 4, BLACK.stroke_width(1)))
            .map_err(err)?;
        if k == 0 {
            chain_legend(&mut chart)?;
        }
    }
    root.present().map_err(err)
}

/// Forest plot: per variable the median (dot), the 50% interval (thick)
/// and the 94% interval (thin), all chains pooled.
pub fn forest(out: &mut String, input: &PlotInput) -> Result<(), String> {
    let n = input.series.len();
    let rows: Vec<(String, [f64; 5])> = input
        .series
        .iter()
        .map(|s| {
            let v = sorted(s.chains.iter().flatten().copied());
            (s.label.clone(), [0.03, 0.25, 0.5, 0.75, 0.97].map(|q| quantile(&v, q)))
        })
        .collect();
    let longest = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(4) as u32;
    let root = SVGBackend::with_string(out, (760 + 7 * longest, 90 + 26 * n as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("{}: medians, 50% and 94% intervals", input.title), (FONT, 18)).map_err(err)?;
    let x = range(rows.iter().flat_map(|(_, q)| q.iter()));
    let labels: Vec<String> = rows.iter().map(|(l, _)| l.clone()).collect();
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(10 + 7 * longest)
        .build_cartesian_2d(x, -0.5..n as f64 - 0.5)
        .map_err(err)?;
    // Rows top to bottom in the order given: row i sits at y = n - 1 - i.
    chart
        .configure_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
                return String::new();
            }
            labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
        })
        .light_line_style(WHITE)
        .bold_line_style(BLACK.mix(0.08))
        .label_style((FONT, 12))
        .draw()
        .map_err(err)?;
    let blue = CHAIN_COLOURS[0];
    for (i, (_, q)) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        chart.draw_series(LineSeries::new(vec![(q[0], y), (q[4], y)], blue.stroke_width(1))).map_err(err)?;
        chart.draw_series(LineSeries::new(vec![(q[1], y), (q[3], y)], blue.stroke_width(5))).map_err(err)?;
        chart.draw_series(std::iter::once(Circle::new((q[2], y), 4, WHITE.filled()))).map_err(err)?;
        chart.draw_series(std::iter::once(Circle::new((q[2], y), 4, blue.stroke_width(2)))).map_err(err)?;
    }
    root.present().map_err(err)
}

/// Pair plot: histograms on the diagonal, scatter plots of every pair of
/// variables off it (all chains pooled, coloured by chain).
pub fn pair(out: &mut String, input: &PlotInput) -> Result<(), String> {
    let n = input.series.len();
    let side = (220 * n as u32).max(300);
    let root = SVGBackend::with_string(out, (side, side + 40)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("{}: pairs", input.title), (FONT, 18)).map_err(err)?;
    let areas = root.split_evenly((n, n));
    for (k, area) in areas.iter().enumerate() {
        let (row, col) = (k / n, k % n);
        let (sy, sx) = (&input.series[row], &input.series[col]);
        let xr = range(sx.chains.iter().flatten());
        let mut builder = ChartBuilder::on(area);
        builder.margin(6).x_label_area_size(if row == n - 1 { 30 } else { 14 }).y_label_area_size(if col == 0 { 50 } else { 14 });
        if row == col {
            let values: Vec<f64> = sx.chains.iter().flatten().copied().collect();
            let steps = density_steps(&values, &xr, 30);
            let top = steps.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
            let mut chart = builder.caption(&sx.label, (FONT, 12)).build_cartesian_2d(xr, 0.0..top.max(1e-12)).map_err(err)?;
            chart.configure_mesh().light_line_style(WHITE).y_labels(0).label_style((FONT, 10)).draw().map_err(err)?;
            chart.draw_series(LineSeries::new(steps, BLACK.stroke_width(1))).map_err(err)?;
        } else {
            let yr = range(sy.chains.iter().flatten());
            let mut chart = builder.build_cartesian_2d(xr, yr).map_err(err)?;
            chart.configure_mesh().light_line_style(WHITE).label_style((FONT, 10)).x_desc(if row == n - 1 { sx.label.as_str() } else { "" }).y_desc(if col == 0 { sy.label.as_str() } else { "" }).draw().map_err(err)?;
            for (c, (cx, cy)) in sx.chains.iter().zip(&sy.chains).enumerate() {
                let style = colour(c).mix(0.35).filled();
                chart.draw_series(cx.iter().zip(cy).map(|(&x, &y)| Circle::new((x, y), 1, style))).map_err(err)?;
            }
        }
    }
    root.present().map_err(err)
}

/// Posterior predictive check: the density of the observed values (thick
/// black) over the densities of replicated data sets, one per draw (thin).
pub fn ppc(out: &mut String, input: &PlotInput) -> Result<(), String> {
    // Replicated data sets: draw d of the selected cells, for up to 60
    // draws spread over all chains.
    let n_draws: usize = input.series.first().map_or(0, |s| s.chains.iter().map(|c| c.len()).sum());
    let flat: Vec<Vec<f64>> = input.series.iter().map(|s| s.chains.iter().flatten().copied().collect()).collect();
    let take = n_draws.min(60);
    let reps: Vec<Vec<f64>> = (0..take).map(|k| k * n_draws / take.max(1)).map(|d| flat.iter().map(|cell| cell[d]).collect()).collect();
    let xr = range(input.observed.iter().chain(reps.iter().flatten()));
    let bins = (input.observed.len() as f64).sqrt().clamp(8.0, 40.0) as usize;
    let obs = density_steps(&input.observed, &xr, bins);
    let rep_steps: Vec<Vec<(f64, f64)>> = reps.iter().map(|r| density_steps(r, &xr, bins)).collect();
    let top = obs.iter().chain(rep_steps.iter().flatten()).map(|p| p.1).fold(0.0, f64::max) * 1.1;
    let root = SVGBackend::with_string(out, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("{}: posterior predictive check", input.title), (FONT, 18)).map_err(err)?;
    let rep_name = input.series.first().map_or("replicated".to_string(), |s| s.label.split('[').next().unwrap_or("").to_string());
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(60)
        .build_cartesian_2d(xr, 0.0..top.max(1e-12))
        .map_err(err)?;
    chart.configure_mesh().light_line_style(WHITE).x_desc(input.observed_name.as_str()).y_desc("density").label_style((FONT, 12)).draw().map_err(err)?;
    let rep_colour = CHAIN_COLOURS[0].mix(0.25);
    for (k, steps) in rep_steps.into_iter().enumerate() {
        let series = chart.draw_series(LineSeries::new(steps, rep_colour.stroke_width(1))).map_err(err)?;
        if k == 0 {
            series
                .label(format!("{rep_name} ({take} draws)"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], CHAIN_COLOURS[0].stroke_width(2)));
        }
    }
    chart
        .draw_series(LineSeries::new(obs, BLACK.stroke_width(3)))
        .map_err(err)?
        .label(format!("{} (observed)", input.observed_name))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(3)));
    chain_legend(&mut chart)?;
    root.present().map_err(err)
}

/// Energy plot: the marginal energy distribution (centred) against the
/// distribution of energy changes between draws, per chain, with each
/// chain's E-BFMI (below 0.3 is a problem).
pub fn energy(out: &mut String, input: &PlotInput) -> Result<(), String> {
    let centred: Vec<Vec<f64>> = input
        .energy
        .iter()
        .map(|e| {
            let mean = e.iter().sum::<f64>() / e.len().max(1) as f64;
            e.iter().map(|v| v - mean).collect()
        })
        .collect();
    let diffs: Vec<Vec<f64>> = input.energy.iter().map(|e| e.windows(2).map(|w| w[1] - w[0]).collect()).collect();
    let xr = range(centred.iter().flatten().chain(diffs.iter().flatten()));
    let marg: Vec<Vec<(f64, f64)>> = centred.iter().map(|c| density_steps(c, &xr, 30)).collect();
    let trans: Vec<Vec<(f64, f64)>> = diffs.iter().map(|d| density_steps(d, &xr, 30)).collect();
    let top = marg.iter().chain(&trans).flatten().map(|p| p.1).fold(0.0, f64::max) * 1.15;
    let root = SVGBackend::with_string(out, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("{}: energy", input.title), (FONT, 18)).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(60)
        .build_cartesian_2d(xr, 0.0..top.max(1e-12))
        .map_err(err)?;
    chart.configure_mesh().light_line_style(WHITE).x_desc("energy − mean (solid), energy change between draws (dashed)").y_desc("density").label_style((FONT, 12)).draw().map_err(err)?;
    for (c, (m, t)) in marg.into_iter().zip(trans).enumerate() {
        let col = colour(c);
        let bfmi = hbmc_runtime::ebfmi(&input.energy[c]);
        chart
            .draw_series(LineSeries::new(m, col.stroke_width(2)))
            .map_err(err)?
            .label(format!("chain {}: E-BFMI {bfmi:.2}", c + 1))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
        chart.draw_series(DashedLineSeries::new(t, 5, 3, col.stroke_width(2))).map_err(err)?;
    }
    chain_legend(&mut chart)?;
    root.present().map_err(err)
}
