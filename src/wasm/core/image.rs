//! Images ([`crate::core::image`]): RGBA bytes to tensors and back, fitting, letterboxing,
//! cropping, generated images and heatmaps.

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::image;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// RGBA bytes of a `width × height` canvas (`Uint8ClampedArray` or `Uint8Array`) → a `[c, h, w]`
/// `Float32Array` with values 0-255: `channels = 1` for grey (BT.601 luma), 3 for R, G, B.
#[wasm_bindgen(js_name = imageToTensor)]
pub fn image_to_tensor(
    rgba: JsValue,
    width: JsValue,
    height: JsValue,
    channels: JsValue,
) -> JsResult<Float32Array> {
    let (w, h, c) = (
        whole("width", &width)?,
        whole("height", &height)?,
        whole("channels", &channels)?,
    );
    let data = image::rgba_to_chw(&bytes("rgba", &rgba)?, w, h, c).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// The size a user's `width × height` image is scaled to before use: `{ width, height, scaled }`,
/// at most `maxImageSide()` per side, aspect ratio kept.
#[wasm_bindgen(js_name = fitImage)]
pub fn fit_image(width: JsValue, height: JsValue) -> JsResult<JsValue> {
    let (w, h) = (whole("width", &width)?, whole("height", &height)?);
    let (fw, fh) = image::fit_within_limit(w, h).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "width", fw as f64)?;
    set(&obj, "height", fh as f64)?;
    set(&obj, "scaled", (fw, fh) != (w, h))?;
    Ok(obj.into())
}

/// Largest side, in pixels, of an image the edge widgets take (larger ones are scaled down).
#[wasm_bindgen(js_name = maxImageSide)]
pub fn max_image_side() -> f64 {
    image::MAX_IMAGE_SIDE as f64
}

/// The generated images: `[{ name, label }]`.
#[wasm_bindgen(js_name = generatedImages)]
pub fn generated_images() -> JsResult<Array> {
    let list = Array::new();
    for (name, label) in image::GENERATED {
        let obj = Object::new();
        set(&obj, "name", *name)?;
        set(&obj, "label", *label)?;
        list.push(&obj);
    }
    Ok(list)
}

/// A generated `size × size` grey image (values 0-255) as a `[1, size, size]` `Float32Array`.
#[wasm_bindgen(js_name = generateImage)]
pub fn generate_image(name: JsValue, size: JsValue) -> JsResult<Float32Array> {
    let Some(name) = name.as_string() else {
        return Err(JsError::new(&format!(
            "name must be a string, got {}",
            type_name(&name)
        )));
    };
    let data = image::generate(&name, whole("size", &size)?).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// A feature map as pixels: `{ rgba: Uint8ClampedArray, scale, min, max }`; signed values on a
/// blue-white-red scale at `±scale = max |v|`, or with `absolute` magnitudes in grey. An optional
/// `scale` sets the full-colour magnitude instead, so several maps share one colour scale.
#[wasm_bindgen(js_name = heatmap)]
pub fn heatmap(data: JsValue, absolute: bool, scale: JsValue) -> JsResult<JsValue> {
    let scale = if is_missing(&scale) {
        None
    } else {
        Some(number("scale", &scale)?)
    };
    let map =
        image::heatmap_scaled(&floats("data", &data)?, absolute, scale).map_err(core_error)?;
    let obj = Object::new();
    set(
        &obj,
        "rgba",
        js_sys::Uint8ClampedArray::from(map.rgba.as_slice()),
    )?;
    set(&obj, "scale", map.scale)?;
    set(&obj, "min", map.min)?;
    set(&obj, "max", map.max)?;
    Ok(obj.into())
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
    rgba: JsValue,
    width: JsValue,
    height: JsValue,
    size: JsValue,
) -> JsResult<Float32Array> {
    let data = image::letterbox(
        &bytes("rgba", &rgba)?,
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
    let [c, h, w] = crate::wasm::convert::shape::<3>("shape", &shape, "[c, h, w]")?;
    let [top, left, height, width] =
        crate::wasm::convert::shape::<4>("window", &window, "[top, left, height, width]")?;
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

/// Face crops for the face encoder: for every box of `boxes` (`n · 4` corners as fractions of the
/// letterbox square the face detector saw, see `letterbox`), the square around it in the
/// `width × height` RGBA image resized to `size × size`: a `Float32Array` of `n` RGB `[3, size,
/// size]` crops in 0..1, black outside the image.
#[wasm_bindgen(js_name = faceCrops)]
pub fn face_crops(
    rgba: JsValue,
    width: JsValue,
    height: JsValue,
    boxes: JsValue,
    size: JsValue,
) -> JsResult<Float32Array> {
    let crops = image::letterbox_crops(
        &bytes("rgba", &rgba)?,
        whole("width", &width)?,
        whole("height", &height)?,
        &floats("boxes", &boxes)?,
        whole("size", &size)?,
    )
    .map_err(core_error)?;
    Ok(Float32Array::from(crops.as_slice()))
}

/// The colour map's CSS colour for value `v` drawn at `scale` (`v / scale` in [-1, 1]; `absolute`
/// for the grey map of magnitudes), e.g. for a colour bar: `"rgb(214, 69, 65)"` at `v = scale`.
#[wasm_bindgen(js_name = heatmapColour)]
pub fn heatmap_colour(v: JsValue, scale: JsValue, absolute: bool) -> JsResult<String> {
    let (v, scale) = (number("v", &v)?, number("scale", &scale)?);
    let t = if scale > 0.0 { v / scale } else { 0.0 };
    let [r, g, b] = image::heatmap_colour(t, absolute);
    Ok(format!("rgb({r}, {g}, {b})"))
}

/// A number grid cell's CSS background for value `v` on a grid whose largest magnitude is `scale`:
/// the colour map's end for its sign at opacity `0.85·|v| / scale`, or `null` for 0 (the page's
/// cell background).
#[wasm_bindgen(js_name = heatmapCellColour)]
pub fn heatmap_cell_colour(v: JsValue, scale: JsValue) -> JsResult<JsValue> {
    let (v, scale) = (number("v", &v)?, number("scale", &scale)?);
    let t = if scale > 0.0 { v / scale } else { 0.0 };
    Ok(match image::cell_colour(t) {
        Some(([r, g, b], a)) => JsValue::from_str(&format!("rgba({r}, {g}, {b}, {a:.3})")),
        None => JsValue::NULL,
    })
}
