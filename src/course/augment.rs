//! Data augmentation (lecture 21): mirroring, random cropping, rotation, shearing, local warping,
//! colour shifting and PCA colour augmentation (AlexNet's "fancy PCA"), on `[c, h, w]` images with
//! values in 0..1.
//!
//! Geometric transforms map every output pixel back into the input (inverse mapping) and sample it
//! bilinearly; points outside the input read 0. They work for any number of channels, so the same
//! transform applies to a photo and to LeNet's grey digit.

use anyhow::{ensure, Result};

use crate::core::geometry::check_tensor;

/// One augmentation with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Augmentation {
    /// Left-right mirror.
    Mirror,
    /// A crop of `scale` (0 < scale ≤ 1) of each side whose top-left corner is at fractions
    /// `(x, y)` of the free room, resized back to the full size.
    Crop { scale: f32, x: f32, y: f32 },
    /// Rotation by `degrees` (counter-clockwise) about the centre.
    Rotate { degrees: f32 },
    /// Horizontal shear: `x' = x + amount · (y − centre)`.
    Shear { amount: f32 },
    /// A smooth random displacement of up to `pixels` pixels, from `seed`.
    Warp { pixels: f32, seed: u64 },
    /// Adds `shift[c]` to channel `c` (clamped to 0..1).
    ColourShift { shift: [f32; 3] },
    /// AlexNet's PCA colour augmentation: adds `Σ α_i λ_i p_i` to every RGB pixel, where `p_i`,
    /// `λ_i` are the eigenvectors and eigenvalues of the image's 3×3 RGB covariance.
    PcaColour { alpha: [f32; 3] },
}

/// Bilinear sample of channel plane `plane` (`h × w`) at `(y, x)` (pixel centres at integers);
/// 0 outside.
fn sample(plane: &[f32], h: usize, w: usize, y: f32, x: f32) -> f32 {
    let (y0, x0) = (y.floor(), x.floor());
    let (fy, fx) = (y - y0, x - x0);
    let at = |yy: f32, xx: f32| {
        if yy < 0.0 || xx < 0.0 || yy >= h as f32 || xx >= w as f32 {
            0.0
        } else {
            plane[yy as usize * w + xx as usize]
        }
    };
    let top = at(y0, x0) * (1.0 - fx) + at(y0, x0 + 1.0) * fx;
    let bottom = at(y0 + 1.0, x0) * (1.0 - fx) + at(y0 + 1.0, x0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Applies `map(y, x) → (source y, source x)` to every channel.
fn remap(image: &[f32], [c, h, w]: [usize; 3], map: impl Fn(f32, f32) -> (f32, f32)) -> Vec<f32> {
    let mut out = Vec::with_capacity(image.len());
    for ch in 0..c {
        let plane = &image[ch * h * w..(ch + 1) * h * w];
        for y in 0..h {
            for x in 0..w {
                let (sy, sx) = map(y as f32, x as f32);
                out.push(sample(plane, h, w, sy, sx));
            }
        }
    }
    out
}

/// Eigenvalues and unit eigenvectors (as rows) of a symmetric 3×3 matrix, by Jacobi rotations.
fn eigen_symmetric(mut a: [[f32; 3]; 3]) -> ([f32; 3], [[f32; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..50 {
        let (mut p, mut q, mut largest) = (0, 1, 0.0f32);
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            if a[i][j].abs() > largest {
                (p, q, largest) = (i, j, a[i][j].abs());
            }
        }
        if largest < 1e-12 {
            break;
        }
        let theta = 0.5 * (2.0 * a[p][q]).atan2(a[q][q] - a[p][p]);
        let (s, c) = theta.sin_cos();
        for row in a.iter_mut() {
            let (x, y) = (row[p], row[q]);
            row[p] = c * x - s * y;
            row[q] = s * x + c * y;
        }
        let (row_p, row_q) = (a[p], a[q]);
        for k in 0..3 {
            a[p][k] = c * row_p[k] - s * row_q[k];
            a[q][k] = s * row_p[k] + c * row_q[k];
        }
        for row in v.iter_mut() {
            let (x, y) = (row[p], row[q]);
            row[p] = c * x - s * y;
            row[q] = s * x + c * y;
        }
    }
    let values = [a[0][0], a[1][1], a[2][2]];
    // Columns of v are the eigenvectors; return them as rows.
    let vectors = [0, 1, 2].map(|i| [v[0][i], v[1][i], v[2][i]]);
    (values, vectors)
}

/// `augmentation` applied to `image` of `shape` `[c, h, w]` (values 0..1). Colour augmentations
/// need 3 channels. Errors name the shape or the parameter that does not fit.
pub fn apply(image: &[f32], shape: [usize; 3], augmentation: Augmentation) -> Result<Vec<f32>> {
    check_tensor("image", image, &shape)?;
    let numbers: Vec<f32> = match augmentation {
        Augmentation::Mirror => vec![],
        Augmentation::Crop { scale, x, y } => vec![scale, x, y],
        Augmentation::Rotate { degrees } => vec![degrees],
        Augmentation::Shear { amount } => vec![amount],
        Augmentation::Warp { pixels, .. } => vec![pixels],
        Augmentation::ColourShift { shift } => shift.to_vec(),
        Augmentation::PcaColour { alpha } => alpha.to_vec(),
    };
    ensure!(
        numbers.iter().all(|v| v.is_finite()),
        "the augmentation's parameters must be numbers, got {numbers:?}"
    );
    let [c, h, w] = shape;
    let (cy, cx) = ((h as f32 - 1.0) / 2.0, (w as f32 - 1.0) / 2.0);
    Ok(match augmentation {
        Augmentation::Mirror => crate::core::image::mirror(image, shape)?,
        Augmentation::Crop { scale, x, y } => {
            ensure!(
                scale > 0.0 && scale <= 1.0,
                "the crop scale must be in (0, 1], got {scale}"
            );
            let (ch, cw) = (h as f32 * scale, w as f32 * scale);
            let (top, left) = (
                (h as f32 - ch) * y.clamp(0.0, 1.0),
                (w as f32 - cw) * x.clamp(0.0, 1.0),
            );
            remap(image, shape, |yy, xx| {
                (
                    top + (yy + 0.5) * scale - 0.5,
                    left + (xx + 0.5) * scale - 0.5,
                )
            })
        }
        Augmentation::Rotate { degrees } => {
            let (s, co) = degrees.to_radians().sin_cos();
            remap(image, shape, |y, x| {
                let (dy, dx) = (y - cy, x - cx);
                (cy + co * dy + s * dx, cx - s * dy + co * dx)
            })
        }
        Augmentation::Shear { amount } => remap(image, shape, |y, x| (y, x - amount * (y - cy))),
        Augmentation::Warp { pixels, seed } => {
            let mut rng = crate::core::rng::Rng::new(seed);
            let waves: Vec<[f32; 4]> = (0..6)
                .map(|_| {
                    [
                        rng.range(0.5, 2.5),
                        rng.range(0.5, 2.5),
                        rng.range(0.0, std::f32::consts::TAU),
                        rng.range(0.0, std::f32::consts::TAU),
                    ]
                })
                .collect();
            let field = |y: f32, x: f32, k: usize| {
                waves[k * 3..k * 3 + 3]
                    .iter()
                    .map(|[fy, fx, py, px]| {
                        ((fy * y / h as f32) * std::f32::consts::TAU + py).sin()
                            * ((fx * x / w as f32) * std::f32::consts::TAU + px).cos()
                    })
                    .sum::<f32>()
                    / 3.0
            };
            remap(image, shape, |y, x| {
                (y + pixels * field(y, x, 0), x + pixels * field(y, x, 1))
            })
        }
        Augmentation::ColourShift { shift } => {
            ensure!(
                c == 3,
                "colour shifting needs 3 channels, the image has {c}"
            );
            image
                .iter()
                .enumerate()
                .map(|(i, v)| (v + shift[i / (h * w)]).clamp(0.0, 1.0))
                .collect()
        }
        Augmentation::PcaColour { alpha } => {
            ensure!(
                c == 3,
                "PCA colour augmentation needs 3 channels, the image has {c}"
            );
            let n = (h * w) as f32;
            let plane = |k: usize| &image[k * h * w..(k + 1) * h * w];
            let mean = [0, 1, 2].map(|k| plane(k).iter().sum::<f32>() / n);
            let mut cov = [[0.0f32; 3]; 3];
            for i in 0..3 {
                for j in 0..3 {
                    cov[i][j] = plane(i)
                        .iter()
                        .zip(plane(j))
                        .map(|(a, b)| (a - mean[i]) * (b - mean[j]))
                        .sum::<f32>()
                        / n;
                }
            }
            let (values, vectors) = eigen_symmetric(cov);
            let delta = [0, 1, 2].map(|k| {
                (0..3)
                    .map(|i| alpha[i] * values[i].max(0.0).sqrt() * vectors[i][k])
                    .sum::<f32>()
            });
            image
                .iter()
                .enumerate()
                .map(|(i, v)| (v + delta[i / (h * w)]).clamp(0.0, 1.0))
                .collect()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(c: usize, h: usize, w: usize) -> Vec<f32> {
        (0..c * h * w)
            .map(|i| (i % (h * w)) as f32 / (h * w) as f32)
            .collect()
    }

    #[test]
    fn geometric_transforms_move_pixels_where_they_should() {
        let img = ramp(1, 4, 5);
        let m = apply(&img, [1, 4, 5], Augmentation::Mirror).unwrap();
        assert_eq!(m[0], img[4]);
        assert_eq!(apply(&m, [1, 4, 5], Augmentation::Mirror).unwrap(), img);
        let r = apply(&img, [1, 4, 5], Augmentation::Rotate { degrees: 0.0 }).unwrap();
        assert!(r.iter().zip(&img).all(|(a, b)| (a - b).abs() < 1e-6));
        // 180° about the centre is a point reflection.
        let half = apply(&img, [1, 4, 5], Augmentation::Rotate { degrees: 180.0 }).unwrap();
        assert!((half[0] - img[19]).abs() < 1e-5);
        let full = apply(
            &img,
            [1, 4, 5],
            Augmentation::Crop {
                scale: 1.0,
                x: 0.5,
                y: 0.5,
            },
        )
        .unwrap();
        assert!(full.iter().zip(&img).all(|(a, b)| (a - b).abs() < 1e-6));
        let none = apply(
            &img,
            [1, 4, 5],
            Augmentation::Warp {
                pixels: 0.0,
                seed: 3,
            },
        )
        .unwrap();
        assert_eq!(none, img);
        assert!(apply(
            &img,
            [1, 4, 5],
            Augmentation::Crop {
                scale: 0.0,
                x: 0.0,
                y: 0.0
            }
        )
        .is_err());
    }

    #[test]
    fn pca_colour_moves_along_the_main_colour_axis() {
        // Pixels vary only along (1, 1, 0)/√2: the first principal axis.
        let (h, w) = (2, 4);
        let t: Vec<f32> = (0..h * w).map(|i| 0.2 + 0.05 * i as f32).collect();
        let mut img = t.clone();
        img.extend(&t);
        img.extend(vec![0.5; h * w]);
        let (values, vectors) =
            eigen_symmetric([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]);
        let big = values.iter().cloned().fold(f32::MIN, f32::max);
        assert!((big - 2.0).abs() < 1e-5);
        let i = values.iter().position(|&v| v == big).unwrap();
        assert!((vectors[i][0].abs() - 0.70710677).abs() < 1e-5 && vectors[i][2].abs() < 1e-5);
        let out = apply(
            &img,
            [3, h, w],
            Augmentation::PcaColour {
                alpha: [0.5, 0.5, 0.5],
            },
        )
        .unwrap();
        // Red and green move together, blue does not.
        let (dr, dg, db) = (out[0] - img[0], out[8] - img[8], out[16] - img[16]);
        assert!(
            (dr - dg).abs() < 1e-5 && dr.abs() > 1e-3 && db.abs() < 1e-5,
            "{dr} {dg} {db}"
        );
        assert!(apply(&t, [1, h, w], Augmentation::PcaColour { alpha: [0.1; 3] }).is_err());
    }
}
