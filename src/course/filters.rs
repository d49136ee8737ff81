//! Named edge and image filters (lectures 02-03), row-major `f × f` kernels.
//!
//! Sign convention of the course: the vertical-edge filter `[[1,0,-1],[1,0,-1],[1,0,-1]]` gives a
//! positive response where the image goes from bright (left) to dark (right), and a negative one
//! for dark to bright. The "-x" filters respond to vertical edges (a horizontal gradient), the
//! "-y" filters to horizontal edges (bright above, dark below is positive).

use anyhow::{bail, ensure, Result};

use crate::core::geometry::check_tensor;

/// A named square kernel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Filter {
    /// Identifier used by the JS API and the page (`"vertical"`, `"sobel-x"`, …).
    pub name: &'static str,
    /// Human-readable name.
    pub label: &'static str,
    /// Side `f` of the `f × f` kernel.
    pub size: usize,
    /// `f · f` weights, row by row.
    pub weights: &'static [f32],
}

const NINTH: f32 = 1.0 / 9.0;

/// Every named filter, in the order the page lists them.
pub const FILTERS: &[Filter] = &[
    Filter {
        name: "vertical",
        label: "Vertical edge (lecture 02)",
        size: 3,
        weights: &[1.0, 0.0, -1.0, 1.0, 0.0, -1.0, 1.0, 0.0, -1.0],
    },
    Filter {
        name: "horizontal",
        label: "Horizontal edge (lecture 03)",
        size: 3,
        weights: &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, -1.0, -1.0, -1.0],
    },
    Filter {
        name: "sobel-x",
        label: "Sobel x (vertical edges)",
        size: 3,
        weights: &[1.0, 0.0, -1.0, 2.0, 0.0, -2.0, 1.0, 0.0, -1.0],
    },
    Filter {
        name: "sobel-y",
        label: "Sobel y (horizontal edges)",
        size: 3,
        weights: &[1.0, 2.0, 1.0, 0.0, 0.0, 0.0, -1.0, -2.0, -1.0],
    },
    Filter {
        name: "scharr-x",
        label: "Scharr x (vertical edges)",
        size: 3,
        weights: &[3.0, 0.0, -3.0, 10.0, 0.0, -10.0, 3.0, 0.0, -3.0],
    },
    Filter {
        name: "scharr-y",
        label: "Scharr y (horizontal edges)",
        size: 3,
        weights: &[3.0, 10.0, 3.0, 0.0, 0.0, 0.0, -3.0, -10.0, -3.0],
    },
    // Edges along a rising diagonal "/": positive when the top-left side is brighter.
    Filter {
        name: "diagonal-45",
        label: "45° diagonal edge (/)",
        size: 3,
        weights: &[2.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, -1.0, -2.0],
    },
    // Edges along a falling diagonal "\": positive when the top-right side is brighter.
    Filter {
        name: "diagonal-135",
        label: "135° diagonal edge (\\)",
        size: 3,
        weights: &[0.0, 1.0, 2.0, -1.0, 0.0, 1.0, -2.0, -1.0, 0.0],
    },
    Filter {
        name: "identity",
        label: "Identity",
        size: 3,
        weights: &[0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
    },
    Filter {
        name: "box-blur",
        label: "Box blur (mean of 3×3)",
        size: 3,
        weights: &[NINTH; 9],
    },
    Filter {
        name: "sharpen",
        label: "Sharpen",
        size: 3,
        weights: &[0.0, -1.0, 0.0, -1.0, 5.0, -1.0, 0.0, -1.0, 0.0],
    },
];

/// The filter called `name`. Errors list the known names.
pub fn by_name(name: &str) -> Result<&'static Filter> {
    match FILTERS.iter().find(|f| f.name == name) {
        Some(f) => Ok(f),
        None => {
            let known: Vec<_> = FILTERS.iter().map(|f| f.name).collect();
            bail!(
                "unknown filter {name:?}; known filters: {}",
                known.join(", ")
            )
        }
    }
}

/// Checks a user's custom `size × size` kernel (row-major) and returns it as an owned vector.
/// `size` must be odd (a kernel with a centre pixel) and at most 15.
pub fn custom(size: usize, weights: &[f32]) -> Result<Vec<f32>> {
    ensure!(
        size % 2 == 1 && size <= 15,
        "a custom kernel must be 1x1 up to 15x15 with an odd side, got {size}x{size}"
    );
    check_tensor("custom kernel", weights, &[size, size])?;
    Ok(weights.to_vec())
}

/// Broadcasts a single-channel `f × f` kernel to one filter over `channels` channels
/// (`[1, channels, f, f]`, OIHW): the course's "edge filter in every channel" (lecture 06).
pub fn to_all_channels(kernel: &[f32], channels: usize) -> Vec<f32> {
    kernel.repeat(channels)
}
