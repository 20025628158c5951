//! Diagnostic plots of a fit's draws (`hbmc plot`), drawn with plotters'
//! SVG backend (and rendered to PNG with resvg): trace and rank plots per
//! chain, forest plots, pair plots, posterior predictive overlays and the
//! energy plot with E-BFMI. Cells are labelled as the summary labels them
//! (`hbmc_runtime::FitDims::label`).

mod kinds;

use hbmc_runtime::Draws;

/// Which plot to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotKind {
    Trace,
    Rank,
    Forest,
    Pair,
    Ppc,
    Energy,
}

/// One column selected for plotting.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The label shown, such as `theta[grade=2]`.
    pub label: String,
    /// `chains[chain][draw]`.
    pub chains: Vec<Vec<f64>>,
}

/// What a plot is drawn from.
#[derive(Clone, Debug, Default)]
pub struct PlotInput {
    /// The selected columns, in order.
    pub series: Vec<Series>,
    /// `energy__` per chain (energy plot).
    pub energy: Vec<Vec<f64>>,
    /// Observed values (ppc plot).
    pub observed: Vec<f64>,
    /// The name of the observed variable, for the legend.
    pub observed_name: String,
    /// The fit's name, for titles.
    pub title: String,
}

/// Draws a plot as an SVG document.
pub fn to_svg(kind: PlotKind, input: &PlotInput) -> Result<String, String> {
    let mut out = String::new();
    match kind {
        PlotKind::Trace => kinds::trace(&mut out, input),
        PlotKind::Rank => kinds::rank(&mut out, input),
        PlotKind::Forest => kinds::forest(&mut out, input),
        PlotKind::Pair => kinds::pair(&mut out, input),
        PlotKind::Ppc => kinds::ppc(&mut out, input),
        PlotKind::Energy => kinds::energy(&mut out, input),
    }?;
    Ok(out)
}

/// The columns of variable `name` (`theta` gives `theta.1`, `theta.2`,
/// ...; `theta.2` gives itself), in file order.
pub fn columns_of(draws: &Draws, name: &str) -> Vec<usize> {
    let prefix = format!("{name}.");
    draws
        .column_names
        .iter()
        .enumerate()
        .filter(|(_, c)| *c == name || c.starts_with(&prefix))
        .map(|(i, _)| i)
        .collect()
}

/// The draws of one column as owned chains.
pub fn column_chains(draws: &Draws, index: usize) -> Vec<Vec<f64>> {
    draws.column(index).into_iter().map(|c| c.to_vec()).collect()
}

/// Renders an SVG document (as [`to_svg`] draws it) to a PNG image of the
/// same size in pixels, in pure Rust: the text is set in DejaVu Sans,
/// which ships in the binary, so no system fonts or programs are needed.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_font_data(dejavu::sans::regular().to_vec());
    // The plots ask for `sans-serif`; fontdb's default family for it
    // (Arial) is not loaded, so name the one font that is.
    options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    options.font_family = "DejaVu Sans".to_string();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("cannot render the plot as PNG: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("cannot render the plot as PNG: no image of {} x {} pixels", size.width(), size.height()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode the plot as PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixels darker than mid-grey: text and lines on the white ground.
    fn dark_pixels(png: &[u8]) -> (u32, u32, usize) {
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(png).expect("a PNG");
        let dark = pixmap.pixels().iter().filter(|p| p.red() < 128 && p.alpha() > 128).count();
        (pixmap.width(), pixmap.height(), dark)
    }

    #[test]
    fn png_has_the_svgs_size_and_draws_its_text_with_the_shipped_font() {
        let page = |body: &str| {
            format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="130" height="40"><rect width="130" height="40" fill="white"/>{body}</svg>"#)
        };
        let text = svg_to_png(&page(r#"<text x="5" y="28" font-family="sans-serif" font-size="24">theta</text>"#)).expect("rendered");
        assert_eq!(&text[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h, dark) = dark_pixels(&text);
        assert_eq!((w, h), (130, 40));
        // Without a font the text would be left out and the image blank.
        assert!(dark > 100, "{dark} dark pixels: the text was not drawn");
        let blank = svg_to_png(&page("")).expect("rendered");
        assert_eq!(dark_pixels(&blank).2, 0);
        assert!(svg_to_png("<svg").unwrap_err().starts_with("cannot render the plot as PNG"));
    }
}
