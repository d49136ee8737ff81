//! Inputs for the models in the JavaScript API: images resized or letterboxed for detectors,
//! drawings and digits for LeNet-5, sample inputs for the explorer, crops, and lecture 21's data
//! augmentation. Conversions only; the work is in [`crate::image`], [`crate::digits`],
//! [`crate::augment`] and [`crate::scenes`].

use js_sys::{Float32Array, Object};
use wasm_bindgen::prelude::*;

use super::{core_error, field, floats, number, options_object, set, whole, JsResult};
use crate::{image, scenes};

/// `width × height` RGBA bytes (a canvas, photo or webcam frame) → an RGB `[3, size, size]`
/// `Float32Array` in 0..1, resized bilinearly: a detector's input.
#[wasm_bindgen(js_name = detectorInput)]
pub fn detector_input(
    rgba: &[u8],
    width: JsValue,
    height: JsValue,
    size: JsValue,
) -> JsResult<Float32Array> {
    let (w, h, s) = (
        whole("width", &width)?,
        whole("height", &height)?,
        whole("size", &size)?,
    );
    let data = image::rgba_to_rgb_resized(rgba, w, h, s, s).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// An RGB `[3, height, width]` tensor in 0..1 → opaque RGBA bytes (`Uint8ClampedArray`) for a
/// canvas: how the page shows what a detector sees.
#[wasm_bindgen(js_name = imageFromTensor)]
pub fn image_from_tensor(
    tensor: JsValue,
    width: JsValue,
    height: JsValue,
) -> JsResult<js_sys::Uint8ClampedArray> {
    let rgba = image::rgb_to_rgba(
        &floats("tensor", &tensor)?,
        whole("width", &width)?,
        whole("height", &height)?,
    )
    .map_err(core_error)?;
    Ok(js_sys::Uint8ClampedArray::from(rgba.as_slice()))
}

/// `width × height` RGBA bytes → an RGB `[3, size, size]` `Float32Array` in 0..1 with the image
/// scaled to fit the square (aspect ratio kept) at the top-left and black padding: the face
/// detector's input.
#[wasm_bindgen(js_name = letterbox)]
pub fn letterbox(
    rgba: &[u8],
    width: JsValue,
    height: JsValue,
    size: JsValue,
) -> JsResult<Float32Array> {
    let data = image::letterbox(
        rgba,
        whole("width", &width)?,
        whole("height", &height)?,
        whole("size", &size)?,
    )
    .map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// The window `top..top + height`, `left..left + width` of every channel of a `[c, h, w]` tensor,
/// as a `Float32Array` `[c, height, width]`: one crop of the naive sliding-windows loop.
#[wasm_bindgen(js_name = cropTensor)]
pub fn crop_tensor(tensor: JsValue, shape: JsValue, window: JsValue) -> JsResult<Float32Array> {
    let [c, h, w] = super::shape::<3>("shape", &shape, "[c, h, w]")?;
    let [top, left, height, width] =
        super::shape::<4>("window", &window, "[top, left, height, width]")?;
    let data = image::crop(
        &floats("tensor", &tensor)?,
        [c, h, w],
        top,
        left,
        height,
        width,
    )
    .map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// A drawing (`width × height` RGBA) → `{ digit: Float32Array (8x8, 0..16), input: Float32Array
/// [1, 32, 32] }` for LeNet-5, as scikit-learn's digits look (see `digits::drawing_to_digit`), or
/// `null` for a blank canvas.
#[wasm_bindgen(js_name = digitFromDrawing)]
pub fn digit_from_drawing(rgba: &[u8], width: JsValue, height: JsValue) -> JsResult<JsValue> {
    let Some(digit) =
        crate::digits::drawing_to_digit(rgba, whole("width", &width)?, whole("height", &height)?)
            .map_err(core_error)?
    else {
        return Ok(JsValue::NULL);
    };
    let input = crate::digits::lenet_input(&digit).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "digit", Float32Array::from(digit.as_slice()))?;
    set(&obj, "input", Float32Array::from(input.as_slice()))?;
    Ok(obj.into())
}

/// An 8x8 digit (64 values, 0..16, as scikit-learn's) → LeNet-5's `[1, 32, 32]` input in 0..1.
#[wasm_bindgen(js_name = lenetInput)]
pub fn lenet_input(digit: JsValue) -> JsResult<Float32Array> {
    let input = crate::digits::lenet_input(&floats("digit", &digit)?).map_err(core_error)?;
    Ok(Float32Array::from(input.as_slice()))
}

/// Face crops for the face encoder: for every box of `boxes` (`n · 4` corners as fractions of the
/// letterbox square the face detector saw, see `letterbox`), the square around it in the
/// `width × height` RGBA image resized to `size × size`: a `Float32Array` of `n` RGB `[3, size,
/// size]` crops in 0..1, black outside the image.
#[wasm_bindgen(js_name = faceCrops)]
pub fn face_crops(
    rgba: &[u8],
    width: JsValue,
    height: JsValue,
    boxes: JsValue,
    size: JsValue,
) -> JsResult<Float32Array> {
    let crops = image::letterbox_crops(
        rgba,
        whole("width", &width)?,
        whole("height", &height)?,
        &floats("boxes", &boxes)?,
        whole("size", &size)?,
    )
    .map_err(core_error)?;
    Ok(Float32Array::from(crops.as_slice()))
}

/// A digit set file (`digits-heldout.bin`, see `digits::parse_digit_set`) → `{ count, labels:
/// Uint8Array, digits: Float32Array (count × 64, 0..16), inputs: Float32Array (count × [1, 32,
/// 32], LeNet-5's input) }`.
#[wasm_bindgen(js_name = digitSet)]
pub fn digit_set(bytes: &[u8]) -> JsResult<js_sys::Object> {
    let set_ = crate::digits::parse_digit_set(bytes).map_err(core_error)?;
    let labels: Vec<u8> = set_.iter().map(|d| d.label).collect();
    let digits: Vec<f32> = set_.iter().flat_map(|d| d.pixels.iter().copied()).collect();
    let mut inputs = Vec::with_capacity(set_.len() * 1024);
    for d in &set_ {
        inputs.extend(crate::digits::lenet_input(&d.pixels).map_err(core_error)?);
    }
    let obj = js_sys::Object::new();
    super::set(&obj, "count", set_.len() as f64)?;
    super::set(&obj, "labels", js_sys::Uint8Array::from(labels.as_slice()))?;
    super::set(&obj, "digits", Float32Array::from(digits.as_slice()))?;
    super::set(&obj, "inputs", Float32Array::from(inputs.as_slice()))?;
    Ok(obj)
}

/// `count` generated shapes scenes (seeds `0..count`) resized to `height × width`, one after the
/// other: a `Float32Array` of `count` RGB inputs `[1, 3, height, width]` in 0..1.
#[wasm_bindgen(js_name = sceneInputs)]
pub fn scene_inputs(count: JsValue, height: JsValue, width: JsValue) -> JsResult<Float32Array> {
    let data = scenes::scene_inputs(
        whole("count", &count)?,
        whole("height", &height)?,
        whole("width", &width)?,
    )
    .map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// A sample input for a model whose input is `shape` `[1, c, h, w]` (values 0..1): for one
/// channel a generated circle, for three a generated shapes scene resized to `h × w`. What the
/// model explorer runs a model on before the user picks anything.
#[wasm_bindgen(js_name = sampleInput)]
pub fn sample_input(shape: JsValue) -> JsResult<Float32Array> {
    let [n, c, h, w] = super::shape::<4>("shape", &shape, "[1, c, h, w]")?;
    if n != 1 || !(c == 1 || c == 3) {
        return Err(JsError::new(&format!(
            "sample inputs are [1, 1, h, w] or [1, 3, h, w], got [{n}, {c}, {h}, {w}]"
        )));
    }
    let data = if c == 1 {
        let side = h.max(w);
        let grey = image::generate("circle", side).map_err(core_error)?;
        let full = image::crop(&grey, [1, side, side], 0, 0, h, w).map_err(core_error)?;
        full.iter().map(|v| v / 255.0).collect::<Vec<f32>>()
    } else {
        let scene = scenes::generate(3, scenes::SCENE_SIZE).map_err(core_error)?;
        let rgba = image::rgb_to_rgba(&scene.image, scene.size, scene.size).map_err(core_error)?;
        image::rgba_to_rgb_resized(&rgba, scene.size, scene.size, w, h).map_err(core_error)?
    };
    Ok(Float32Array::from(data.as_slice()))
}

/// Lecture 21's data augmentation of `image` (`[c, h, w]` given by `shape`, values 0..1):
/// `options.kind` is `"mirror"`, `"crop"` (`scale`, `x`, `y`), `"rotate"` (`degrees`), `"shear"`
/// (`amount`), `"warp"` (`pixels`, `seed`), `"colour"` (`shift: [r, g, b]`) or `"pca"` (`alpha:
/// [a1, a2, a3]`). Returns the augmented `Float32Array`.
#[wasm_bindgen(js_name = augment)]
pub fn augment(image: JsValue, shape: JsValue, options: JsValue) -> JsResult<Float32Array> {
    use crate::augment::{apply, Augmentation};
    options_object(&options, "augment")?;
    let num = |key: &str| number(key, &field(&options, key));
    let three = |key: &str| -> JsResult<[f32; 3]> {
        let v = floats(key, &field(&options, key))?;
        v.as_slice()
            .try_into()
            .map_err(|_| JsError::new(&format!("{key} must hold 3 numbers, got {}", v.len())))
    };
    let kind = field(&options, "kind").as_string().unwrap_or_default();
    let augmentation = match kind.as_str() {
        "mirror" => Augmentation::Mirror,
        "crop" => Augmentation::Crop {
            scale: num("scale")?,
            x: num("x")?,
            y: num("y")?,
        },
        "rotate" => Augmentation::Rotate {
            degrees: num("degrees")?,
        },
        "shear" => Augmentation::Shear {
            amount: num("amount")?,
        },
        "warp" => Augmentation::Warp {
            pixels: num("pixels")?,
            seed: whole("seed", &field(&options, "seed"))? as u64,
        },
        "colour" => Augmentation::ColourShift {
            shift: three("shift")?,
        },
        "pca" => Augmentation::PcaColour {
            alpha: three("alpha")?,
        },
        other => {
            return Err(JsError::new(&format!(
                "kind must be mirror, crop, rotate, shear, warp, colour or pca, got {other:?}"
            )))
        }
    };
    let [c, h, w] = super::shape::<3>("shape", &shape, "[c, h, w]")?;
    let out = apply(&floats("image", &image)?, [c, h, w], augmentation).map_err(core_error)?;
    Ok(Float32Array::from(out.as_slice()))
}
