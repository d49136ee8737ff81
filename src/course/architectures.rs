//! The classic architectures of lectures 13-18 as ONNX graphs built in Rust, with their weights
//! declared by shape only ([`GraphBuilder::shapes_only`]), so tract can analyse them (every
//! activation shape, parameter count and multiply-adds, [`crate::core::engine::analyse`]) without the
//! weights ever existing: VGG-16 would need 553 MB of f32 values.
//!
//! Each graph follows the lecture (and the paper it cites); where the lecture is silent the usual
//! published variant is used and named in the builder's documentation.

use anyhow::{bail, Result};

use crate::core::graph::{encode, GraphBuilder};

/// The architectures, by name, in the order the page lists them.
pub const ARCHITECTURES: &[(&str, &str)] = &[
    ("lenet5", "LeNet-5 (LeCun et al., 1998)"),
    ("alexnet", "AlexNet (Krizhevsky et al., 2012)"),
    ("vgg16", "VGG-16 (Simonyan & Zisserman, 2015)"),
    ("resnet34", "ResNet-34 (He et al., 2015)"),
    ("inception-module", "One Inception module (lecture 17)"),
    (
        "googlenet",
        "GoogLeNet / Inception v1 (Szegedy et al., 2014)",
    ),
];

/// The `.onnx` bytes of architecture `name` (see [`ARCHITECTURES`]).
pub fn build(name: &str) -> Result<Vec<u8>> {
    let model = match name {
        "lenet5" => lenet5(),
        "alexnet" => alexnet(),
        "vgg16" => vgg16(),
        "resnet34" => resnet34(),
        "inception-module" => inception_module(),
        "googlenet" => googlenet(),
        other => {
            let known: Vec<&str> = ARCHITECTURES.iter().map(|a| a.0).collect();
            bail!(
                "unknown architecture {other:?}; known: {}",
                known.join(", ")
            )
        }
    };
    Ok(encode(&model))
}

/// A convolution with bias: `filters` filters of `f × f` over `channels`, stride `s`, padding `p`.
fn conv(
    g: &mut GraphBuilder,
    x: &str,
    channels: usize,
    filters: usize,
    f: usize,
    s: usize,
    p: usize,
) -> String {
    g.conv(
        x,
        (&[filters, channels, f, f], &[]),
        Some(&vec![0.0; filters]),
        &[p; 4],
        &[s, s],
        1,
    )
}

/// [`conv`] then ReLU.
fn conv_relu(
    g: &mut GraphBuilder,
    x: &str,
    channels: usize,
    filters: usize,
    f: usize,
    s: usize,
    p: usize,
) -> String {
    let c = conv(g, x, channels, filters, f, s, p);
    g.relu(&c)
}

fn dense(g: &mut GraphBuilder, x: &str, inputs: usize, units: usize) -> String {
    g.dense(x, (&[units, inputs], &[]), &vec![0.0; units])
}

/// AlexNet's and VGG-16's head: flatten `inputs` values, FC 4096, FC 4096, softmax over 1000.
fn classifier(g: &mut GraphBuilder, x: &str, inputs: usize) -> String {
    let x = g.flatten(x);
    let x = dense(g, &x, inputs, 4096);
    let x = g.relu(&x);
    let x = dense(g, &x, 4096, 4096);
    let x = g.relu(&x);
    let x = dense(g, &x, 4096, 1000);
    g.softmax(&x, 1)
}

/// Lecture 13's LeNet-5: 32×32×1 → conv 5×5 ×6 → 28×28×6 → average pool 2 → 14×14×6 → conv 5×5
/// ×16 → 10×10×16 → average pool 2 → 5×5×16 → 400 → FC 120 → FC 84 → 10 (about 60 k parameters;
/// ReLU stands in for the paper's sigmoid/tanh, which changes no shape or count).
pub fn lenet5() -> tract_onnx::pb::ModelProto {
    let mut g = GraphBuilder::shapes_only("lenet5", &[1, 1, 32, 32]);
    let x = g.input();
    let x = conv_relu(&mut g, &x, 1, 6, 5, 1, 0);
    let x = g.average_pool(&x, &[2, 2], &[2, 2], &[0; 4]);
    let x = conv_relu(&mut g, &x, 6, 16, 5, 1, 0);
    let x = g.average_pool(&x, &[2, 2], &[2, 2], &[0; 4]);
    let x = g.flatten(&x);
    let x = dense(&mut g, &x, 400, 120);
    let x = g.relu(&x);
    let x = dense(&mut g, &x, 120, 84);
    let x = g.relu(&x);
    let x = dense(&mut g, &x, 84, 10);
    let x = g.softmax(&x, 1);
    g.finish(&x)
}

/// Lecture 13's AlexNet: 227×227×3 → conv 11×11 s4 ×96 → 55×55×96 → max pool 3 s2 → 27×27×96 →
/// conv 5×5 same ×256 → max pool 3 s2 → 13×13×256 → conv 3×3 same ×384, ×384, ×256 → max pool 3
/// s2 → 6×6×256 → 9216 → FC 4096 → FC 4096 → softmax 1000 (the one-GPU form, without the paper's
/// two-GPU filter groups and local response normalisation): about 60 million parameters.
pub fn alexnet() -> tract_onnx::pb::ModelProto {
    let mut g = GraphBuilder::shapes_only("alexnet", &[1, 3, 227, 227]);
    let x = g.input();
    let x = conv_relu(&mut g, &x, 3, 96, 11, 4, 0);
    let x = g.max_pool(&x, &[3, 3], &[2, 2], &[0; 4]);
    let x = conv_relu(&mut g, &x, 96, 256, 5, 1, 2);
    let x = g.max_pool(&x, &[3, 3], &[2, 2], &[0; 4]);
    let x = conv_relu(&mut g, &x, 256, 384, 3, 1, 1);
    let x = conv_relu(&mut g, &x, 384, 384, 3, 1, 1);
    let x = conv_relu(&mut g, &x, 384, 256, 3, 1, 1);
    let x = g.max_pool(&x, &[3, 3], &[2, 2], &[0; 4]);
    let x = classifier(&mut g, &x, 9216);
    g.finish(&x)
}

/// Lecture 13's VGG-16: 224×224×3, thirteen 3×3 same convolutions in blocks of 64, 64 | 128, 128 |
/// 256 ×3 | 512 ×3 | 512 ×3, each block followed by a 2×2 max pool, → 7×7×512 → FC 4096 → FC 4096
/// → softmax 1000: 138,357,544 parameters.
pub fn vgg16() -> tract_onnx::pb::ModelProto {
    let mut g = GraphBuilder::shapes_only("vgg16", &[1, 3, 224, 224]);
    let mut x = g.input();
    let mut c = 3;
    for (filters, repeat) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)] {
        for _ in 0..repeat {
            x = conv_relu(&mut g, &x, c, filters, 3, 1, 1);
            c = filters;
        }
        x = g.max_pool(&x, &[2, 2], &[2, 2], &[0; 4]);
    }
    let x = classifier(&mut g, &x, 7 * 7 * 512);
    g.finish(&x)
}

/// A convolution without bias followed by batch normalisation (as a per-channel scale and shift).
fn conv_bn(
    g: &mut GraphBuilder,
    x: &str,
    channels: usize,
    filters: usize,
    f: usize,
    s: usize,
    p: usize,
) -> String {
    let c = g.conv(
        x,
        (&[filters, channels, f, f], &[]),
        None,
        &[p; 4],
        &[s, s],
        1,
    );
    g.scale_shift(&c, &[], &[], filters)
}

/// Lectures 14-15's ResNet-34: conv 7×7 s2 ×64 and max pool 3 s2, then basic residual blocks
/// (two 3×3 convolutions, `a[l+2] = g(z[l+2] + a[l])`) — 3 of 64, 4 of 128, 6 of 256, 3 of 512
/// filters, the first of each later stage with stride 2 and a 1×1 projection shortcut — global
/// average pooling and FC 1000. Batch normalisation after every convolution counts its γ and β:
/// 21,797,672 parameters, as torchvision's `resnet34`.
pub fn resnet34() -> tract_onnx::pb::ModelProto {
    let mut g = GraphBuilder::shapes_only("resnet34", &[1, 3, 224, 224]);
    let x = g.input();
    let x = conv_bn(&mut g, &x, 3, 64, 7, 2, 3);
    let x = g.relu(&x);
    let mut x = g.max_pool(&x, &[3, 3], &[2, 2], &[1; 4]);
    let mut c = 64;
    for (stage, (filters, blocks)) in [(64, 3), (128, 4), (256, 6), (512, 3)]
        .into_iter()
        .enumerate()
    {
        for block in 0..blocks {
            let stride = if stage > 0 && block == 0 { 2 } else { 1 };
            let a = conv_bn(&mut g, &x, c, filters, 3, stride, 1);
            let a = g.relu(&a);
            let z = conv_bn(&mut g, &a, filters, filters, 3, 1, 1);
            let shortcut = if stride != 1 || c != filters {
                conv_bn(&mut g, &x, c, filters, 1, stride, 0)
            } else {
                x.clone()
            };
            let sum = g.add(&z, &shortcut);
            x = g.relu(&sum);
            c = filters;
        }
    }
    let x = g.global_average_pool(&x);
    let x = g.flatten(&x);
    let x = dense(&mut g, &x, 512, 1000);
    let x = g.softmax(&x, 1);
    g.finish(&x)
}

/// One Inception module on `x` with `c` channels: 1×1 ×`b1`; 1×1 ×`r3` then 3×3 same ×`b3`; 1×1
/// ×`r5` then 5×5 same ×`b5`; 3×3 max pool (stride 1, same) then 1×1 ×`bp`; concatenated along
/// the channels. Returns the output and its channel count `b1 + b3 + b5 + bp`.
#[allow(clippy::too_many_arguments)]
fn inception(
    g: &mut GraphBuilder,
    x: &str,
    c: usize,
    b1: usize,
    r3: usize,
    b3: usize,
    r5: usize,
    b5: usize,
    bp: usize,
) -> (String, usize) {
    let one = conv_relu(g, x, c, b1, 1, 1, 0);
    let reduce3 = conv_relu(g, x, c, r3, 1, 1, 0);
    let three = conv_relu(g, &reduce3, r3, b3, 3, 1, 1);
    let reduce5 = conv_relu(g, x, c, r5, 1, 1, 0);
    let five = conv_relu(g, &reduce5, r5, b5, 5, 1, 2);
    let pool = g.max_pool(x, &[3, 3], &[1, 1], &[1; 4]);
    let proj = conv_relu(g, &pool, c, bp, 1, 1, 0);
    (
        g.concat(&[&one, &three, &five, &proj], 1),
        b1 + b3 + b5 + bp,
    )
}

/// Lecture 17's Inception module: 28×28×192 → 1×1 ×64, 1×1 ×96 → 3×3 ×128, 1×1 ×16 → 5×5 ×32,
/// max pool → 1×1 ×32, concatenated: 28×28×256.
pub fn inception_module() -> tract_onnx::pb::ModelProto {
    let mut g = GraphBuilder::shapes_only("inception-module", &[1, 192, 28, 28]);
    let x = g.input();
    let (x, _) = inception(&mut g, &x, 192, 64, 96, 128, 16, 32, 32);
    g.finish(&x)
}

/// Lecture 18's GoogLeNet (Inception v1, without the two auxiliary classifiers of training): conv
/// 7×7 s2 ×64, max pool, conv 1×1 ×64, conv 3×3 ×192, max pool, Inception 3a-3b, max pool, 4a-4e,
/// max pool, 5a-5b (the paper's table 1), global average pooling, FC 1000.
pub fn googlenet() -> tract_onnx::pb::ModelProto {
    let mut g = GraphBuilder::shapes_only("googlenet", &[1, 3, 224, 224]);
    let x = g.input();
    let x = conv_relu(&mut g, &x, 3, 64, 7, 2, 3);
    let x = g.max_pool(&x, &[3, 3], &[2, 2], &[0, 0, 1, 1]);
    let x = conv_relu(&mut g, &x, 64, 64, 1, 1, 0);
    let x = conv_relu(&mut g, &x, 64, 192, 3, 1, 1);
    let mut x = g.max_pool(&x, &[3, 3], &[2, 2], &[0, 0, 1, 1]);
    let mut c = 192;
    let table: [&[[usize; 6]]; 3] = [
        &[[64, 96, 128, 16, 32, 32], [128, 128, 192, 32, 96, 64]],
        &[
            [192, 96, 208, 16, 48, 64],
            [160, 112, 224, 24, 64, 64],
            [128, 128, 256, 24, 64, 64],
            [112, 144, 288, 32, 64, 64],
            [256, 160, 320, 32, 128, 128],
        ],
        &[[256, 160, 320, 32, 128, 128], [384, 192, 384, 48, 128, 128]],
    ];
    for (stage, modules) in table.iter().enumerate() {
        for m in modules.iter() {
            let (y, out) = inception(&mut g, &x, c, m[0], m[1], m[2], m[3], m[4], m[5]);
            x = y;
            c = out;
        }
        if stage < 2 {
            x = g.max_pool(&x, &[3, 3], &[2, 2], &[0, 0, 1, 1]);
        }
    }
    let x = g.global_average_pool(&x);
    let x = g.flatten(&x);
    let x = dense(&mut g, &x, 1024, 1000);
    let x = g.softmax(&x, 1);
    g.finish(&x)
}

/// Lectures 14-15's residual block as a runnable graph: `a[l+2] = ReLU(z[l+2] + a[l])` with
/// `z[l+2] = W2·ReLU(W1·a[l] + b1) + b2`, two 3×3 same convolutions of `channels` filters on a
/// `[1, channels, h, w]` input. The weights are a fixed pseudo-random pattern (SplitMix64, seed 7)
/// times `scale`, biases zero: at `scale = 0` the block is the identity on non-negative inputs
/// (`a[l+2] = ReLU(a[l]) = a[l]`), which is why adding blocks does not hurt a ResNet.
pub fn residual_block(channels: usize, h: usize, w: usize, scale: f32) -> Result<Vec<u8>> {
    anyhow::ensure!(
        (1..=64).contains(&channels) && (1..=256).contains(&h) && (1..=256).contains(&w),
        "a residual block demo takes 1 to 64 channels of at most 256x256, got {channels}x{h}x{w}"
    );
    anyhow::ensure!(
        scale.is_finite(),
        "the weight scale must be a finite number, got {scale}"
    );
    let mut rng = crate::core::rng::Rng::new(7);
    let fan_in = (channels * 9) as f32;
    let mut weights = || -> Vec<f32> {
        (0..channels * channels * 9)
            .map(|_| rng.range(-1.0, 1.0) * scale * (3.0 / fan_in).sqrt())
            .collect()
    };
    let (w1, w2) = (weights(), weights());
    let shape = [channels, channels, 3, 3];
    let zeros = vec![0.0; channels];
    let mut g = GraphBuilder::new("residual-block", &[1, channels, h, w]);
    let a = g.input();
    let z1 = g.conv(&a, (&shape, &w1), Some(&zeros), &[1; 4], &[1, 1], 1);
    let a1 = g.relu(&z1);
    let z2 = g.conv(&a1, (&shape, &w2), Some(&zeros), &[1; 4], &[1, 1], 1);
    let sum = g.add(&z2, &a);
    let out = g.relu(&sum);
    Ok(encode(&g.finish(&out)))
}
