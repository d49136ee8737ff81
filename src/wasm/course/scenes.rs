//! Generated scenes, patch mosaics and detector inputs ([`crate::course::scenes`]).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::image;
use crate::course::scenes;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// A generated detection scene (lecture 31's setting) for `seed`: `{ size, tensor: Float32Array
/// [3, 96, 96] (0..1), rgba: Uint8ClampedArray, objects: [{ box, class }], classes: string[],
/// grid, anchors }` with boxes in image fractions and the shapes detector's grid and anchors.
#[wasm_bindgen(js_name = generateScene)]
pub fn generate_scene(seed: JsValue) -> JsResult<JsValue> {
    let seed = crate::wasm::convert::seed("seed", &seed)?;
    let scene = scenes::generate(seed, scenes::SCENE_SIZE).map_err(core_error)?;
    let size = scene.size;
    let rgba = image::rgb_to_rgba(&scene.image, size, size).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "size", size as f64)?;
    set(&obj, "tensor", Float32Array::from(scene.image.as_slice()))?;
    set(
        &obj,
        "rgba",
        js_sys::Uint8ClampedArray::from(rgba.as_slice()),
    )?;
    let objects = Array::new();
    for o in &scene.objects {
        let oo = Object::new();
        let b = o.bbox;
        set(
            &oo,
            "box",
            Float32Array::from(&[b.x1, b.y1, b.x2, b.y2][..]),
        )?;
        set(&oo, "class", o.class as f64)?;
        objects.push(&oo);
    }
    set(&obj, "objects", objects)?;
    let spec = scenes::detector_spec();
    set(
        &obj,
        "classes",
        scenes::CLASSES
            .iter()
            .map(|c| JsValue::from_str(c))
            .collect::<Array>(),
    )?;
    set(&obj, "grid", spec.grid as f64)?;
    let anchors: Array = spec
        .anchors
        .iter()
        .map(|&(w, h)| JsValue::from(Float32Array::from(&[w, h][..])))
        .collect();
    set(&obj, "anchors", anchors)?;
    Ok(obj.into())
}

/// A `2·14 × 2·14` picture tiled from four generated 14x14 patches (seeds `seed..seed + 4`):
/// `{ size, tensor: Float32Array [3, 28, 28], rgba, classes: [4 class indices], names }` for
/// lecture 26's convolutional sliding windows.
#[wasm_bindgen(js_name = patchMosaic)]
pub fn patch_mosaic(seed: JsValue) -> JsResult<JsValue> {
    let seed = whole("seed", &seed)?;
    let mosaic = scenes::patch_mosaic(seed as u64, scenes::PATCH_SIZE).map_err(core_error)?;
    let (tensor, classes, side) = (mosaic.image, mosaic.classes, mosaic.side);
    let rgba = image::rgb_to_rgba(&tensor, side, side).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "size", side as f64)?;
    set(&obj, "tensor", Float32Array::from(tensor.as_slice()))?;
    set(
        &obj,
        "rgba",
        js_sys::Uint8ClampedArray::from(rgba.as_slice()),
    )?;
    set(&obj, "classes", usizes(&classes))?;
    let names: Array = scenes::CLASSES
        .iter()
        .chain(std::iter::once(&"background"))
        .map(|c| JsValue::from_str(c))
        .collect();
    set(&obj, "names", names)?;
    Ok(obj.into())
}

/// The class each window of `window × window` pixels at `stride` should report on the mosaic of
/// `seed` (`scenes::window_labels`: the shape whose centre it holds, else background, 3): a
/// row-major array of `rows · cols` class indices, `rows = (28 − window) / stride + 1`.
#[wasm_bindgen(js_name = mosaicWindowLabels)]
pub fn mosaic_window_labels(seed: JsValue, window: JsValue, stride: JsValue) -> JsResult<JsValue> {
    let mosaic = scenes::patch_mosaic(whole("seed", &seed)? as u64, scenes::PATCH_SIZE)
        .map_err(core_error)?;
    let labels = scenes::window_labels(
        &mosaic,
        whole("window", &window)?,
        whole("stride", &stride)?,
    )
    .map_err(core_error)?;
    Ok(usizes(&labels).into())
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

/// `width × height` RGBA bytes (a canvas, photo or webcam frame) → an RGB `[3, size, size]`
/// `Float32Array` in 0..1, resized bilinearly: a detector's input.
#[wasm_bindgen(js_name = detectorInput)]
pub fn detector_input(
    rgba: JsValue,
    width: JsValue,
    height: JsValue,
    size: JsValue,
) -> JsResult<Float32Array> {
    let (w, h, s) = (
        whole("width", &width)?,
        whole("height", &height)?,
        whole("size", &size)?,
    );
    let data =
        image::rgba_to_rgb_resized(&bytes("rgba", &rgba)?, w, h, s, s).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}
