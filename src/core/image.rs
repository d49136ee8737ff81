//! Pixels in and out: RGBA bytes from a canvas to `[c, h, w]` tensors, generated test images, and
//! signed feature maps to RGBA heatmaps. The page only moves these bytes to and from canvases.

use std::ops::Range;

use anyhow::{bail, ensure, Result};

use crate::core::geometry::{check_tensor, MAX_ELEMENTS, MAX_SIDE};

/// Largest side of an image the page feeds to the edge widgets; larger user images are scaled
/// down to it (keeping their aspect ratio) before they reach the core.
pub const MAX_IMAGE_SIDE: usize = 1024;

/// The size a `width × height` image is scaled to so that neither side exceeds
/// [`MAX_IMAGE_SIDE`], keeping the aspect ratio (sides rounded, at least 1); unchanged when it
/// already fits. Errors for a zero side.
pub fn fit_within_limit(width: usize, height: usize) -> Result<(usize, usize)> {
    ensure!(
        width >= 1 && height >= 1,
        "an image needs at least 1x1 pixels, got {width}x{height}"
    );
    let longest = width.max(height);
    if longest <= MAX_IMAGE_SIDE {
        return Ok((width, height));
    }
    let scale = MAX_IMAGE_SIDE as f64 / longest as f64;
    let fit = |side: usize| ((side as f64 * scale).round() as usize).clamp(1, MAX_IMAGE_SIDE);
    Ok((fit(width), fit(height)))
}

/// Luma weights of ITU-R BT.601, the usual RGB → grey conversion.
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// `width × height` RGBA bytes (row-major, 4 per pixel, as a canvas gives them) → a `[c, h, w]`
/// tensor with values 0-255: `channels = 1` gives grey (BT.601 luma), `3` gives R, G, B planes.
/// Alpha is ignored. Errors when the length does not match or a side exceeds [`MAX_SIDE`].
pub fn rgba_to_chw(rgba: &[u8], width: usize, height: usize, channels: usize) -> Result<Vec<f32>> {
    ensure!(
        channels == 1 || channels == 3,
        "channels must be 1 (grey) or 3 (RGB), got {channels}"
    );
    ensure!(
        width >= 1 && height >= 1,
        "an image needs at least 1x1 pixels, got {width}x{height}"
    );
    ensure!(
        width <= MAX_SIDE && height <= MAX_SIDE,
        "image {width}x{height} exceeds the limit of {MAX_SIDE} pixels per side"
    );
    let pixels = width * height;
    ensure!(
        rgba.len() == pixels * 4,
        "RGBA data has {} bytes but a {width}x{height} image needs {}",
        rgba.len(),
        pixels * 4
    );
    let mut out = vec![0.0f32; pixels * channels];
    for (i, px) in rgba.chunks_exact(4).enumerate() {
        let rgb = [px[0] as f32, px[1] as f32, px[2] as f32];
        if channels == 1 {
            out[i] = LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2];
        } else {
            for (c, v) in rgb.iter().enumerate() {
                out[c * pixels + i] = *v;
            }
        }
    }
    Ok(out)
}

/// A single-channel `f × f` kernel as one filter over R, G, B (`[1, 3, f, f]`, OIHW) weighted by
/// the luma coefficients: by linearity, convolving the RGB planes with it equals convolving the
/// grey image of [`rgba_to_chw`] with `kernel` (lecture 06: one filter over a volume). tract runs a
/// one-filter convolution over several channels faster than one over a single channel.
pub fn luma_weighted(kernel: &[f32]) -> Vec<f32> {
    LUMA.iter()
        .flat_map(|&l| kernel.iter().map(move |&k| l * k))
        .collect()
}

/// `width × height` RGBA bytes → an RGB `[3, out_height, out_width]` tensor with values in 0..1,
/// resampled bilinearly (pixel centres aligned, as most resizers do): how a photo, a webcam frame
/// or a drawing becomes a detector's fixed-size input. Errors for mismatched lengths or sizes
/// outside 1..=[`MAX_SIDE`].
pub fn rgba_to_rgb_resized(
    rgba: &[u8],
    width: usize,
    height: usize,
    out_width: usize,
    out_height: usize,
) -> Result<Vec<f32>> {
    for (what, v) in [
        ("width", width),
        ("height", height),
        ("output width", out_width),
        ("output height", out_height),
    ] {
        ensure!(
            (1..=MAX_SIDE).contains(&v),
            "{what} must be 1 to {MAX_SIDE} pixels, got {v}"
        );
    }
    ensure!(
        rgba.len() == width * height * 4,
        "RGBA data has {} bytes but a {width}x{height} image needs {}",
        rgba.len(),
        width * height * 4
    );
    // Source coordinate of output pixel centre i: (i + 0.5)·n/m - 0.5, clamped to the image.
    let axis = |m: usize, n: usize| -> Vec<(usize, usize, f32)> {
        (0..m)
            .map(|i| {
                let x = ((i as f32 + 0.5) * n as f32 / m as f32 - 0.5).clamp(0.0, (n - 1) as f32);
                let lo = x.floor() as usize;
                (lo, (lo + 1).min(n - 1), x - lo as f32)
            })
            .collect()
    };
    let (xs, ys) = (axis(out_width, width), axis(out_height, height));
    let plane = out_width * out_height;
    let mut out = vec![0.0f32; 3 * plane];
    for (oy, &(y0, y1, fy)) in ys.iter().enumerate() {
        for (ox, &(x0, x1, fx)) in xs.iter().enumerate() {
            for c in 0..3 {
                let p = |x: usize, y: usize| rgba[(y * width + x) * 4 + c] as f32;
                let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
                let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
                out[c * plane + oy * out_width + ox] = (top * (1.0 - fy) + bottom * fy) / 255.0;
            }
        }
    }
    Ok(out)
}

/// The checks of a crop's source: an image and crop side of 1 to [`MAX_SIDE`] pixels, and RGBA
/// bytes that make the image.
fn check_crop_source(rgba: &[u8], width: usize, height: usize, size: usize) -> Result<()> {
    ensure!(
        (1..=MAX_SIDE).contains(&width)
            && (1..=MAX_SIDE).contains(&height)
            && (1..=MAX_SIDE).contains(&size),
        "image {width}x{height} and crop side {size} must be 1 to {MAX_SIDE} pixels"
    );
    ensure!(
        rgba.len() == width * height * 4,
        "RGBA data has {} bytes but a {width}x{height} image needs {}",
        rgba.len(),
        width * height * 4
    );
    Ok(())
}

/// The square around box `[x1, y1, x2, y2]` (pixels of a `width × height` RGBA image; the square's
/// side is the box's longer side, centred on the box) resampled bilinearly to an RGB `[3, size,
/// size]` tensor in 0..1, black outside the image: a face crop for the face encoder, and the
/// landmark network's input. It is [`similarity_crop`] with `[side / size, 0, left, top]`. Errors
/// for an empty box, sizes out of range or data that does not fit.
pub fn square_crop(
    rgba: &[u8],
    width: usize,
    height: usize,
    bbox: [f32; 4],
    size: usize,
) -> Result<Vec<f32>> {
    let [x1, y1, x2, y2] = bbox;
    ensure!(
        bbox.iter().all(|v| v.is_finite()) && x2 > x1 && y2 > y1,
        "the box ({x1}, {y1}, {x2}, {y2}) is empty"
    );
    let side = (x2 - x1).max(y2 - y1);
    let (left, top) = ((x1 + x2) / 2.0 - side / 2.0, (y1 + y2) / 2.0 - side / 2.0);
    similarity_crop(
        rgba,
        width,
        height,
        [side / size as f32, 0.0, left, top],
        size,
    )
}

/// A `size × size` RGB crop `[3, size, size]` (values in 0..1) of a `width × height` RGBA image
/// through the similarity transform `[a, b, tx, ty]` (a rotation, a scale and a shift), which takes
/// crop point `(u, v)` to image point `(tx + a·u − b·v, ty + b·u + a·v)`; both in pixel units with
/// the origin at the top-left corner, so pixel `(i, j)` covers `[i, i + 1) × [j, j + 1)`. Output
/// pixel `(i, j)` is the image sampled bilinearly at the image point of its centre
/// `(i + ½, j + ½)`, black outside the image. `a = s·cos θ`, `b = s·sin θ` turn the crop by θ
/// (clockwise on screen, y pointing down) and scale it by `s` image pixels per crop pixel. Errors
/// for a non-finite or zero transform and for sizes out of range.
pub fn similarity_crop(
    rgba: &[u8],
    width: usize,
    height: usize,
    transform: [f32; 4],
    size: usize,
) -> Result<Vec<f32>> {
    check_crop_source(rgba, width, height, size)?;
    let [a, b, tx, ty] = transform;
    ensure!(
        transform.iter().all(|v| v.is_finite()) && (a != 0.0 || b != 0.0),
        "the crop's transform [{a}, {b}, {tx}, {ty}] is not a rotation and scale"
    );
    let plane = size * size;
    let mut out = vec![0.0f32; 3 * plane];
    for oy in 0..size {
        let v = oy as f32 + 0.5;
        for ox in 0..size {
            let u = ox as f32 + 0.5;
            // The image point, less ½: bilinear weights between pixel centres.
            let x = tx + a * u - b * v - 0.5;
            let y = ty + b * u + a * v - 0.5;
            let (x0, y0) = (x.floor(), y.floor());
            let (fx, fy) = (x - x0, y - y0);
            for c in 0..3 {
                let p = |xi: f32, yi: f32| -> f32 {
                    if xi < 0.0 || yi < 0.0 || xi >= width as f32 || yi >= height as f32 {
                        0.0
                    } else {
                        rgba[(yi as usize * width + xi as usize) * 4 + c] as f32
                    }
                };
                let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1.0, y0) * fx;
                let bottom = p(x0, y0 + 1.0) * (1.0 - fx) + p(x0 + 1.0, y0 + 1.0) * fx;
                out[c * plane + oy * size + ox] = (top * (1.0 - fy) + bottom * fy) / 255.0;
            }
        }
    }
    Ok(out)
}

/// [`square_crop`] of every box of a detector that saw the image through [`letterbox`]: `boxes`
/// holds `n · 4` corners as fractions of the letterbox square, whose side is the image's longer
/// side in pixels. Returns `n` crops `[3, size, size]` one after the other.
pub fn letterbox_crops(
    rgba: &[u8],
    width: usize,
    height: usize,
    boxes: &[f32],
    size: usize,
) -> Result<Vec<f32>> {
    ensure!(
        boxes.len().is_multiple_of(4),
        "{} numbers are not a whole number of boxes (4 each)",
        boxes.len()
    );
    // Everything checked before anything is allocated.
    check_crop_source(rgba, width, height, size)?;
    let total = (boxes.len() / 4)
        .checked_mul(3 * size * size)
        .filter(|&n| n <= MAX_ELEMENTS);
    ensure!(
        total.is_some(),
        "{} crops of {size}x{size} are more than the {MAX_ELEMENTS} values the playground holds",
        boxes.len() / 4
    );
    let side = width.max(height) as f32;
    let mut out = Vec::with_capacity(boxes.len() / 4 * 3 * size * size);
    for b in boxes.chunks_exact(4) {
        out.extend(square_crop(
            rgba,
            width,
            height,
            [b[0] * side, b[1] * side, b[2] * side, b[3] * side],
            size,
        )?);
    }
    Ok(out)
}

/// `width × height` RGBA bytes → an RGB `[3, size, size]` tensor in 0..1 holding the image scaled
/// to fit the square (aspect ratio kept, bilinear) at the top-left, black below or to the right:
/// the input face-api's detectors expect. Box fractions of the square map back to the image by
/// dividing by `(fitted width / size, fitted height / size)`.
pub fn letterbox(rgba: &[u8], width: usize, height: usize, size: usize) -> Result<Vec<f32>> {
    let (w, h) = fit_square(width, height, size)?;
    let fitted = rgba_to_rgb_resized(rgba, width, height, w, h)?;
    let mut out = vec![0.0f32; 3 * size * size];
    for c in 0..3 {
        for y in 0..h {
            let from = &fitted[(c * h + y) * w..][..w];
            out[(c * size + y) * size..][..w].copy_from_slice(from);
        }
    }
    Ok(out)
}

/// The size `width × height` is scaled to so that it fits a `size × size` square with its aspect
/// ratio kept (the longer side becomes `size`, the other is rounded, at least 1).
pub fn fit_square(width: usize, height: usize, size: usize) -> Result<(usize, usize)> {
    ensure!(
        width >= 1 && height >= 1 && (1..=MAX_SIDE).contains(&size),
        "cannot fit a {width}x{height} image into a {size}x{size} square"
    );
    let scale = size as f64 / width.max(height) as f64;
    let side = |v: usize| ((v as f64 * scale).round() as usize).clamp(1, size);
    Ok((side(width), side(height)))
}

/// The window `top..top + height`, `left..left + width` of every channel of a `[c, h, w]` tensor:
/// `[c, height, width]`. Errors when the window leaves the tensor.
pub fn crop(
    input: &[f32],
    [c, h, w]: [usize; 3],
    top: usize,
    left: usize,
    height: usize,
    width: usize,
) -> Result<Vec<f32>> {
    check_tensor("input", input, &[c, h, w])?;
    // Checked: on wasm32 `usize` is 32 bits, and a window of 2^32 − 1 would wrap.
    let fits = |start: usize, len: usize, side: usize| {
        len >= 1 && start.checked_add(len).is_some_and(|end| end <= side)
    };
    ensure!(
        fits(top, height, h) && fits(left, width, w),
        "the window of {height}x{width} at row {top}, column {left} leaves the {h}x{w} input"
    );
    let mut out = Vec::with_capacity(c * height * width);
    for ch in 0..c {
        for y in top..top + height {
            out.extend_from_slice(&input[(ch * h + y) * w + left..][..width]);
        }
    }
    Ok(out)
}

/// A `[c, h, w]` tensor mirrored left to right: output `(ch, y, x)` is input `(ch, y, w − 1 − x)`.
pub fn mirror(input: &[f32], [c, h, w]: [usize; 3]) -> Result<Vec<f32>> {
    check_tensor("input", input, &[c, h, w])?;
    Ok(input
        .chunks_exact(w)
        .flat_map(|row| row.iter().rev().copied())
        .collect())
}

/// A `[c, h, w]` tensor with `pad` zeros added on every side: `[c, h + 2·pad, w + 2·pad]`.
pub fn pad_zeros(input: &[f32], [c, h, w]: [usize; 3], pad: usize) -> Result<Vec<f32>> {
    check_tensor("input", input, &[c, h, w])?;
    let (ph, pw) = (
        h.checked_add(2 * pad.min(MAX_SIDE))
            .filter(|&v| v <= MAX_SIDE),
        w.checked_add(2 * pad.min(MAX_SIDE))
            .filter(|&v| v <= MAX_SIDE),
    );
    let (Some(ph), Some(pw)) = (ph, pw) else {
        bail!("padding a {h}x{w} input by {pad} makes it wider than {MAX_SIDE} pixels");
    };
    let mut out = vec![0.0; c * ph * pw];
    for ch in 0..c {
        for y in 0..h {
            out[(ch * ph + y + pad) * pw + pad..][..w]
                .copy_from_slice(&input[(ch * h + y) * w..][..w]);
        }
    }
    Ok(out)
}

/// The ten test-time crops of lecture 22 (AlexNet's multi-crop): `[c, height, width]` windows of a
/// `[c, h, w]` tensor at the centre (top `⌊(h − height)/2⌋`, left `⌊(w − width)/2⌋`) and the four
/// corners (top-left, top-right, bottom-left, bottom-right), then the same five mirrored
/// ([`mirror`]). Errors when the crop is larger than the tensor.
pub fn ten_crops(
    input: &[f32],
    [c, h, w]: [usize; 3],
    [height, width]: [usize; 2],
) -> Result<Vec<Vec<f32>>> {
    ensure!(
        (1..=h).contains(&height) && (1..=w).contains(&width),
        "crops of {height}x{width} do not fit a {h}x{w} input"
    );
    let (bottom, right) = (h - height, w - width);
    let five = [
        (bottom / 2, right / 2),
        (0, 0),
        (0, right),
        (bottom, 0),
        (bottom, right),
    ]
    .into_iter()
    .map(|(top, left)| crop(input, [c, h, w], top, left, height, width))
    .collect::<Result<Vec<_>>>()?;
    let mirrored = five
        .iter()
        .map(|x| mirror(x, [c, height, width]))
        .collect::<Result<Vec<_>>>()?;
    Ok(five.into_iter().chain(mirrored).collect())
}

/// The window `[x1, y1, x2, y2]` (pixel coordinates, corners; need not be whole or inside) of every
/// channel of a `[c, h, w]` tensor resampled bilinearly to `[c, size, size]`, pixels outside the
/// tensor repeating its nearest edge pixel. Output pixel `(ox, oy)` samples the input at
/// `x1 + (ox + ½)·(x2 − x1)/size − ½` (and likewise in y), pixel centres being at `i + ½`.
/// Errors for an empty or non-finite window and for sizes out of range.
pub fn resample_window(
    input: &[f32],
    [c, h, w]: [usize; 3],
    window: [f32; 4],
    size: usize,
) -> Result<Vec<f32>> {
    check_tensor("input", input, &[c, h, w])?;
    ensure!(
        c >= 1 && h >= 1 && w >= 1,
        "the input [{c}, {h}, {w}] is empty"
    );
    let [x1, y1, x2, y2] = window;
    ensure!(
        window.iter().all(|v| v.is_finite()) && x2 > x1 && y2 > y1,
        "the window ({x1}, {y1}, {x2}, {y2}) is empty"
    );
    ensure!(
        (1..=MAX_SIDE).contains(&size)
            && c.checked_mul(size * size)
                .is_some_and(|n| n <= MAX_ELEMENTS),
        "a {size}x{size} resampled window of {c} channels is out of range"
    );
    let at = |v: f32, side: usize| v.clamp(0.0, (side - 1) as f32);
    let (sx, sy) = ((x2 - x1) / size as f32, (y2 - y1) / size as f32);
    let mut out = vec![0.0f32; c * size * size];
    for oy in 0..size {
        let y = at(y1 + (oy as f32 + 0.5) * sy - 0.5, h);
        let (y0, fy) = (y.floor() as usize, y - y.floor());
        let y1_ = (y0 + 1).min(h - 1);
        for ox in 0..size {
            let x = at(x1 + (ox as f32 + 0.5) * sx - 0.5, w);
            let (x0, fx) = (x.floor() as usize, x - x.floor());
            let x1_ = (x0 + 1).min(w - 1);
            for ch in 0..c {
                let p = |yy: usize, xx: usize| input[(ch * h + yy) * w + xx];
                let top = p(y0, x0) * (1.0 - fx) + p(y0, x1_) * fx;
                let bottom = p(y1_, x0) * (1.0 - fx) + p(y1_, x1_) * fx;
                out[(ch * size + oy) * size + ox] = top * (1.0 - fy) + bottom * fy;
            }
        }
    }
    Ok(out)
}

/// An RGB `[3, height, width]` tensor with values in 0..1 → RGBA bytes (opaque), for drawing.
pub fn rgb_to_rgba(rgb: &[f32], width: usize, height: usize) -> Result<Vec<u8>> {
    check_tensor("image", rgb, &[3, height, width])?;
    let plane = width * height;
    Ok((0..plane)
        .flat_map(|i| {
            let c = |k: usize| (rgb[k * plane + i].clamp(0.0, 1.0) * 255.0).round() as u8;
            [c(0), c(1), c(2), 255]
        })
        .collect())
}

/// The part of a `[c, h, w]` image (values 0..1, `c` 1 for grey or 3 for RGB) that `window`
/// (rows, then columns, e.g. a receptive field) covers, clipped to the image, as opaque RGBA bytes
/// with its width and height: the patches of lecture 39. Errors when the window misses the image.
pub fn window_rgba(
    image: &[f32],
    [c, h, w]: [usize; 3],
    window: &[Range<isize>; 2],
) -> Result<(Vec<u8>, usize, usize)> {
    ensure!(
        c == 1 || c == 3,
        "patches are cut from grey or RGB images, not {c} channels"
    );
    let clip = |r: &Range<isize>, n: usize| {
        let start = r.start.clamp(0, n as isize) as usize;
        (
            start,
            (r.end.clamp(0, n as isize) as usize).saturating_sub(start),
        )
    };
    let ((top, height), (left, width)) = (clip(&window[0], h), clip(&window[1], w));
    ensure!(
        height > 0 && width > 0,
        "the window rows {:?}, columns {:?} miss the {h}x{w} image",
        window[0],
        window[1]
    );
    let patch = crop(image, [c, h, w], top, left, height, width)?;
    let rgba = if c == 3 {
        rgb_to_rgba(&patch, width, height)?
    } else {
        patch
            .iter()
            .flat_map(|v| {
                let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                [g, g, g, 255]
            })
            .collect()
    };
    Ok((rgba, width, height))
}

/// The generated grey images (values 0-255), by name, in the order the page lists them.
pub const GENERATED: &[(&str, &str)] = &[
    ("bright-left", "Bright left, dark right (lecture 02)"),
    ("bright-right", "Dark left, bright right (lecture 03)"),
    ("checkerboard", "Checkerboard"),
    ("circle", "Circle"),
    ("gradient", "Horizontal gradient"),
    ("diagonal", "Diagonal edge"),
];

/// A generated `size × size` grey image (values 0-255) called `name` (see [`GENERATED`]).
pub fn generate(name: &str, size: usize) -> Result<Vec<f32>> {
    ensure!(
        (2..=MAX_IMAGE_SIDE).contains(&size),
        "generated images are 2 to {MAX_IMAGE_SIDE} pixels wide, got {size}"
    );
    let n = size as f32;
    let pixel: fn(f32, f32, f32) -> f32 = match name {
        "bright-left" => |_, x, n| if x < n / 2.0 { 255.0 } else { 0.0 },
        "bright-right" => |_, x, n| if x < n / 2.0 { 0.0 } else { 255.0 },
        "checkerboard" => |y, x, n| {
            let cell = (n / 8.0).max(1.0);
            if ((y / cell).floor() + (x / cell).floor()) % 2.0 == 0.0 {
                255.0
            } else {
                0.0
            }
        },
        "circle" => |y, x, n| {
            let (dy, dx) = (y + 0.5 - n / 2.0, x + 0.5 - n / 2.0);
            if dy * dy + dx * dx <= (n * 0.3) * (n * 0.3) {
                255.0
            } else {
                0.0
            }
        },
        "gradient" => |_, x, n| 255.0 * x / (n - 1.0),
        "diagonal" => |y, x, _| if x > y { 255.0 } else { 0.0 },
        other => {
            let known: Vec<_> = GENERATED.iter().map(|g| g.0).collect();
            bail!(
                "unknown generated image {other:?}; known: {}",
                known.join(", ")
            )
        }
    };
    Ok((0..size * size)
        .map(|i| pixel((i / size) as f32, (i % size) as f32, n))
        .collect())
}

/// A signed feature map drawn as RGBA pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// 4 bytes per value, row-major.
    pub rgba: Vec<u8>,
    /// The magnitude drawn at full colour: `max |v|` (or `max v` with `absolute`); 0 for an
    /// all-zero map.
    pub scale: f32,
    /// Smallest value of the map (after `abs` with `absolute`).
    pub min: f32,
    /// Largest value of the map (after `abs` with `absolute`).
    pub max: f32,
}

/// Colours `values` (finite) for display: signed values on a diverging scale (blue for negative,
/// white for 0, red for positive, full colour at `±scale = max |v|`), or with `absolute` their
/// magnitudes from black (0) to white (`max |v|`), the course's "take absolute values".
pub fn heatmap(values: &[f32], absolute: bool) -> Result<Heatmap> {
    heatmap_scaled(values, absolute, None)
}

/// [`heatmap`] with the full-colour magnitude `scale` chosen by the caller (values beyond it are
/// drawn at full colour), so several maps can share one colour scale; `None` uses the map's own.
/// Errors for a scale that is not a positive finite number.
pub fn heatmap_scaled(values: &[f32], absolute: bool, scale: Option<f32>) -> Result<Heatmap> {
    if let Some(s) = scale {
        ensure!(
            s.is_finite() && s > 0.0,
            "the colour scale must be a positive number, got {s}"
        );
    }
    if values.is_empty() {
        return Ok(Heatmap {
            rgba: Vec::new(),
            scale: 0.0,
            min: 0.0,
            max: 0.0,
        });
    }
    check_tensor("feature map", values, &[values.len()])?;
    let map = |v: f32| if absolute { v.abs() } else { v };
    let (min, max) = values
        .iter()
        .map(|&v| map(v))
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    // max |v|: the largest magnitude is at one end of the (signed or absolute) range.
    let scale = scale.unwrap_or(if absolute { max } else { max.max(-min) });
    // One colour per level, 2·255 + 1 levels for t = v / scale in [-1, 1]: a table lookup per
    // value instead of three roundings (slow in wasm).
    let table: Vec<[u8; 4]> = (0..=2 * LEVELS)
        .map(|i| {
            let t = (i as f32 - LEVELS as f32) / LEVELS as f32;
            let [r, g, b] = heatmap_colour(t, absolute);
            [r, g, b, 255]
        })
        .collect();
    let inverse = if scale > 0.0 {
        LEVELS as f32 / scale
    } else {
        0.0
    };
    let mut rgba = vec![0u8; values.len() * 4];
    for (px, &v) in rgba.chunks_exact_mut(4).zip(values) {
        // Round to the nearest level: v / scale in [-1, 1] → 0 ..= 2·LEVELS.
        let level = (v * inverse + LEVELS as f32 + 0.5) as usize;
        px.copy_from_slice(&table[level.min(2 * LEVELS)]);
    }
    Ok(Heatmap {
        rgba,
        scale,
        min,
        max,
    })
}

/// Colour levels on each side of 0 in a [`heatmap`].
const LEVELS: usize = 255;

/// The colour map's end for positive values (red); white is 0, see [`heatmap_colour`].
pub const HEATMAP_POSITIVE: [u8; 3] = [214, 69, 65];
/// The colour map's end for negative values (blue).
pub const HEATMAP_NEGATIVE: [u8; 3] = [52, 120, 198];

/// The playground's one colour map, for `t = v / scale` in `[-1, 1]` (clamped): white at 0 to
/// [`HEATMAP_POSITIVE`] at 1 and [`HEATMAP_NEGATIVE`] at −1; with `absolute`, grey from black at 0
/// to white at 1. Heatmaps ([`heatmap_scaled`]), colour bars and grid cells all use it.
pub fn heatmap_colour(t: f32, absolute: bool) -> [u8; 3] {
    let t = if t.is_nan() { 0.0 } else { t.clamp(-1.0, 1.0) };
    let end = |c: [u8; 3]| c.map(f32::from);
    if absolute {
        let g = (t.abs() * 255.0).round() as u8;
        [g, g, g]
    } else if t >= 0.0 {
        lerp([255.0; 3], end(HEATMAP_POSITIVE), t)
    } else {
        lerp([255.0; 3], end(HEATMAP_NEGATIVE), -t)
    }
}

/// A number grid cell's colour for `t = v / scale`: the colour map's end for the sign of `t` at
/// opacity `0.85·|t|` (clamped to 1), so the page's own background shows through where the
/// heatmap is white — light and dark pages alike. `None` for `t = 0` or NaN.
pub fn cell_colour(t: f32) -> Option<([u8; 3], f32)> {
    if t == 0.0 || t.is_nan() {
        return None;
    }
    let end = if t > 0.0 {
        HEATMAP_POSITIVE
    } else {
        HEATMAP_NEGATIVE
    };
    Some((end, 0.85 * t.abs().min(1.0)))
}

fn lerp(from: [f32; 3], to: [f32; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (from[i] + (to[i] - from[i]) * t).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_crops_are_the_centre_the_corners_and_their_mirrors() {
        // A 1x3x4 ramp 0..12; crops of 2x2.
        let x: Vec<f32> = (0..12).map(|v| v as f32).collect();
        let crops = ten_crops(&x, [1, 3, 4], [2, 2]).unwrap();
        assert_eq!(crops.len(), 10);
        assert_eq!(crops[0], [1.0, 2.0, 5.0, 6.0]); // centre: top 0, left 1
        assert_eq!(crops[1], [0.0, 1.0, 4.0, 5.0]);
        assert_eq!(crops[2], [2.0, 3.0, 6.0, 7.0]);
        assert_eq!(crops[3], [4.0, 5.0, 8.0, 9.0]);
        assert_eq!(crops[4], [6.0, 7.0, 10.0, 11.0]);
        assert_eq!(crops[5], [2.0, 1.0, 6.0, 5.0]);
        assert_eq!(crops[9], [7.0, 6.0, 11.0, 10.0]);
        assert!(ten_crops(&x, [1, 3, 4], [4, 2]).is_err());
        assert_eq!(
            pad_zeros(&[1.0], [1, 1, 1], 1).unwrap(),
            [0., 0., 0., 0., 1., 0., 0., 0., 0.]
        );
        assert!(pad_zeros(&[1.0], [1, 1, 1], usize::MAX).is_err());
    }

    #[test]
    fn one_colour_map_for_heatmaps_bars_and_cells() {
        assert_eq!(heatmap_colour(1.0, false), HEATMAP_POSITIVE);
        assert_eq!(heatmap_colour(-1.0, false), HEATMAP_NEGATIVE);
        assert_eq!(heatmap_colour(0.0, false), [255; 3]);
        assert_eq!(heatmap_colour(9.0, false), HEATMAP_POSITIVE, "clamped");
        assert_eq!(heatmap_colour(0.5, true), [128; 3]);
        assert_eq!(heatmap_colour(f32::NAN, false), [255; 3]);
        let map = heatmap(&[-2.0, 0.0, 2.0], false).unwrap();
        assert_eq!(map.rgba[..3], HEATMAP_NEGATIVE);
        assert_eq!(map.rgba[8..11], HEATMAP_POSITIVE);
        assert_eq!(cell_colour(-0.5), Some((HEATMAP_NEGATIVE, 0.425)));
        assert_eq!(cell_colour(0.0), None);
    }

    #[test]
    fn square_crops_take_the_longer_side_and_pad_with_black() {
        // A 4x2 image: left half white, right half red.
        let rgba: Vec<u8> = (0..8)
            .flat_map(|i| {
                if i % 4 < 2 {
                    [255, 255, 255, 255]
                } else {
                    [255, 0, 0, 255]
                }
            })
            .collect();
        // The whole image as a box: a 4x4 square centred on it, one black row above and below.
        let crop = square_crop(&rgba, 4, 2, [0.0, 0.0, 4.0, 2.0], 4).unwrap();
        let red = &crop[..16];
        let green = &crop[16..32];
        assert_eq!(red[..4], [0.0; 4]);
        assert_eq!(green[4..8], [1.0, 1.0, 0.0, 0.0]);
        assert_eq!(red[4..8], [1.0; 4]);
        assert_eq!(red[12..], [0.0; 4]);
        assert!(square_crop(&rgba, 4, 2, [1.0, 1.0, 1.0, 2.0], 4).is_err());
    }

    #[test]
    fn a_similarity_crop_turned_a_quarter_is_the_image_turned() {
        // A 4x4 image whose red value is 10·row + column.
        let rgba: Vec<u8> = (0..16u8)
            .flat_map(|i| [10 * (i / 4) + i % 4, 0, 0, 255])
            .collect();
        // θ = 90°, s = 1: crop point (u, v) is image point (4 − v, u), so crop pixel (i, j) is
        // image pixel (3 − j, i) exactly, at its centre.
        let crop = similarity_crop(&rgba, 4, 4, [0.0, 1.0, 4.0, 0.0], 4).unwrap();
        for j in 0..4 {
            for i in 0..4 {
                let want = (10 * i + 3 - j) as f32 / 255.0;
                assert_eq!(crop[j * 4 + i], want, "crop pixel ({i}, {j})");
            }
        }
        // Half a pixel to the right of a pixel centre: the mean of two neighbours.
        let crop = similarity_crop(&rgba, 4, 4, [1.0, 0.0, 0.5, 0.0], 1).unwrap();
        assert_eq!(crop[0], 1.0 / 255.0 / 2.0 + 0.0);
        assert!(similarity_crop(&rgba, 4, 4, [0.0, 0.0, 0.0, 0.0], 4).is_err());
        assert!(similarity_crop(&rgba, 4, 4, [f32::NAN, 0.0, 0.0, 0.0], 4).is_err());
    }

    #[test]
    fn grey_and_rgb_planes() {
        let rgba = [255, 0, 0, 255, 0, 255, 0, 0];
        let grey = rgba_to_chw(&rgba, 2, 1, 1).unwrap();
        assert!((grey[0] - 76.245).abs() < 1e-3 && (grey[1] - 149.685).abs() < 1e-3);
        assert_eq!(
            rgba_to_chw(&rgba, 2, 1, 3).unwrap(),
            [255., 0., 0., 255., 0., 0.]
        );
        assert_eq!(
            rgba_to_chw(&rgba, 3, 1, 1).unwrap_err().to_string(),
            "RGBA data has 8 bytes but a 3x1 image needs 12"
        );
    }

    #[test]
    fn resizing_keeps_flat_colours_and_same_size_is_an_exact_copy() {
        let red = [200u8, 10, 0, 255].repeat(6 * 4);
        let out = rgba_to_rgb_resized(&red, 6, 4, 3, 2).unwrap();
        assert!(out[..6].iter().all(|&v| (v - 200.0 / 255.0).abs() < 1e-6));
        assert!(out[12..].iter().all(|&v| v == 0.0));
        // Same size: an exact copy, and back to the same bytes.
        let rgba: Vec<u8> = (0..5 * 3 * 4)
            .map(|i| {
                if i % 4 == 3 {
                    255
                } else {
                    (i * 37 % 256) as u8
                }
            })
            .collect();
        let same = rgba_to_rgb_resized(&rgba, 5, 3, 5, 3).unwrap();
        assert_eq!(rgb_to_rgba(&same, 5, 3).unwrap(), rgba);
        assert_eq!(
            rgba_to_rgb_resized(&rgba, 5, 4, 2, 2)
                .unwrap_err()
                .to_string(),
            "RGBA data has 60 bytes but a 5x4 image needs 80"
        );
    }

    #[test]
    fn letterbox_keeps_the_aspect_ratio_and_pads_black() {
        let white = [255u8; 4].repeat(8 * 4);
        let square = letterbox(&white, 8, 4, 4).unwrap();
        // Rows 0-1 hold the 4x2 image, rows 2-3 are black, in every channel.
        for c in 0..3 {
            let plane = &square[c * 16..(c + 1) * 16];
            assert!(plane[..8].iter().all(|&v| v == 1.0) && plane[8..].iter().all(|&v| v == 0.0));
        }
        assert_eq!(fit_square(640, 480, 416).unwrap(), (416, 312));
        assert_eq!(fit_square(480, 640, 416).unwrap(), (312, 416));
    }

    #[test]
    fn a_shared_colour_scale_dims_the_smaller_map() {
        let own = heatmap(&[0.0, 1.0], true).unwrap();
        let shared = heatmap_scaled(&[0.0, 1.0], true, Some(2.0)).unwrap();
        assert_eq!((own.rgba[4], shared.rgba[4]), (255, 128));
        assert_eq!(shared.scale, 2.0);
        assert!(heatmap_scaled(&[1.0], true, Some(0.0)).is_err());
    }

    #[test]
    fn crops_take_the_window_of_every_channel() {
        let t: Vec<f32> = (0..2 * 3 * 4).map(|v| v as f32).collect();
        assert_eq!(
            crop(&t, [2, 3, 4], 1, 2, 2, 2).unwrap(),
            [6.0, 7.0, 10.0, 11.0, 18.0, 19.0, 22.0, 23.0]
        );
        assert_eq!(
            crop(&t, [2, 3, 4], 2, 0, 2, 1).unwrap_err().to_string(),
            "the window of 2x1 at row 2, column 0 leaves the 3x4 input"
        );
        // A window that would wrap around 32-bit arithmetic (wasm32's usize) is refused too.
        let wraps = usize::MAX;
        assert!(crop(&t, [2, 3, 4], 0, wraps, 1, 2).is_err());
        assert!(crop(&t, [2, 3, 4], wraps, 0, 2, 1).is_err());
    }

    #[test]
    fn face_crops_check_everything_before_allocating() {
        // 11 boxes of 4096² crops would be 2.2 GB: refused before any allocation, as is an image
        // whose bytes do not match its size.
        let e = letterbox_crops(&[0; 4], 1, 1, &[0.0; 44], 4096).unwrap_err();
        assert_eq!(
            e.to_string(),
            "11 crops of 4096x4096 are more than the 67108864 values the playground holds"
        );
        let e = letterbox_crops(&[], 1, 1, &[0.0; 4], 8).unwrap_err();
        assert_eq!(
            e.to_string(),
            "RGBA data has 0 bytes but a 1x1 image needs 4"
        );
    }

    #[test]
    fn luma_weighted_rgb_convolution_equals_the_grey_one() {
        use crate::core::geometry::Padding;
        use crate::core::ops::Conv;
        let (w, h) = (7, 5);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| ((i * 73) % 256) as u8).collect();
        let kernel = [1.0, 2.0, 1.0, 0.0, 0.0, 0.0, -1.0, -2.0, -1.0];
        let conv = |input: &[f32], c: usize, weight: &[f32]| {
            crate::core::reference::conv(&Conv {
                input,
                input_shape: &[c, h, w],
                weight,
                weight_shape: &[1, c, 3, 3],
                bias: None,
                padding: &Padding::Valid,
                stride: &[1, 1],
                relu: false,
            })
            .unwrap()
        };
        let grey = conv(&rgba_to_chw(&rgba, w, h, 1).unwrap(), 1, &kernel);
        let rgb = conv(
            &rgba_to_chw(&rgba, w, h, 3).unwrap(),
            3,
            &luma_weighted(&kernel),
        );
        for (a, b) in grey.data.iter().zip(&rgb.data) {
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn large_images_are_scaled_to_the_limit() {
        assert_eq!(fit_within_limit(640, 480).unwrap(), (640, 480));
        assert_eq!(fit_within_limit(20000, 10000).unwrap(), (1024, 512));
        assert_eq!(fit_within_limit(3000, 1).unwrap(), (1024, 1));
        assert!(fit_within_limit(0, 5).is_err());
    }

    #[test]
    fn generated_halves_match_the_course_pattern() {
        let img = generate("bright-left", 6).unwrap();
        assert_eq!(&img[..6], &[255., 255., 255., 0., 0., 0.]);
        assert!(generate("noise", 6)
            .unwrap_err()
            .to_string()
            .starts_with("unknown generated image"));
    }

    #[test]
    fn heatmap_colours_signs_and_magnitudes() {
        let h = heatmap(&[-30.0, 0.0, 30.0], false).unwrap();
        assert_eq!(h.scale, 30.0);
        assert_eq!(&h.rgba[..4], &[52, 120, 198, 255]);
        assert_eq!(&h.rgba[4..8], &[255, 255, 255, 255]);
        assert_eq!(&h.rgba[8..12], &[214, 69, 65, 255]);
        let a = heatmap(&[-30.0, 15.0], true).unwrap();
        assert_eq!((a.min, a.max), (15.0, 30.0));
        assert_eq!(&a.rgba, &[255, 255, 255, 255, 128, 128, 128, 255]);
        assert_eq!(heatmap(&[0.0, 0.0], false).unwrap().scale, 0.0);
    }
}
