//! Lecture 21's data augmentation ([`crate::course::augment`]).

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// Lecture 21's data augmentation of `image` (`[c, h, w]` given by `shape`, values 0..1):
/// `options.kind` is `"mirror"`, `"crop"` (`scale`, `x`, `y`), `"rotate"` (`degrees`), `"shear"`
/// (`amount`), `"warp"` (`pixels`, `seed`), `"colour"` (`shift: [r, g, b]`) or `"pca"` (`alpha:
/// [a1, a2, a3]`). Returns the augmented `Float32Array`.
#[wasm_bindgen(js_name = augment)]
pub fn augment(image: JsValue, shape: JsValue, options: JsValue) -> JsResult<Float32Array> {
    use crate::course::augment::{apply, Augmentation};
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
            seed: crate::wasm::convert::seed("seed", &field(&options, "seed"))?,
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
    let [c, h, w] = crate::wasm::convert::shape::<3>("shape", &shape, "[c, h, w]")?;
    let out = apply(&floats("image", &image)?, [c, h, w], augmentation).map_err(core_error)?;
    Ok(Float32Array::from(out.as_slice()))
}
