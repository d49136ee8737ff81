//! Neural style transfer (lectures 38-42) in plain Rust: the Gram ("style") matrix, the content
//! and style costs, and gradient descent on the generated image G. tract has no gradients, so the
//! first layers of a trained network (conv → ReLU → 2x2 max pool, with weights read from its ONNX
//! file by [`crate::core::engine::conv_weights`]) are run forward and backward here; tests check the
//! forward pass against tract and the gradients against finite differences.
//!
//! Images are `[3, size, size]` in 0..1 (NCHW without the batch); activations `[c, h, w]`.

use anyhow::{ensure, Result};

use crate::core::geometry::{output_size_symmetric, MAX_SIDE};
use crate::core::rng::Rng;

/// A conv layer's weights (stride 1, no padding, as the network's first layer): `weight`
/// `[k, c, f, f]` (OIHW) and `bias` `[k]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvWeights {
    /// Filters.
    pub k: usize,
    /// Input channels.
    pub c: usize,
    /// Kernel side.
    pub f: usize,
    /// `k · c · f · f` values.
    pub weight: Vec<f32>,
    /// `k` values.
    pub bias: Vec<f32>,
}

impl ConvWeights {
    /// Checks the lengths: `weight` holds `k·c·f·f` values and `bias` `k`.
    pub fn new(shape: &[usize], weight: Vec<f32>, bias: Vec<f32>) -> Result<Self> {
        let [k, c, f, g] = shape[..] else {
            anyhow::bail!("a 2D conv weight has shape [k, c, f, f], not {shape:?}");
        };
        ensure!(f == g && f >= 1, "the kernel must be square, got {f}x{g}");
        ensure!(
            weight.len() == k * c * f * f && bias.len() == k,
            "weights of {} and bias of {} values do not fit [{k}, {c}, {f}, {f}]",
            weight.len(),
            bias.len()
        );
        Ok(ConvWeights {
            k,
            c,
            f,
            weight,
            bias,
        })
    }
}

/// A generated style image `[3, size, size]` in 0..1: diagonal stripes, 4 pixels wide, of deep
/// blue, yellow and red (`x + y` modulo 12 picks the colour), each band darker towards its edges.
/// Its Gram matrix is far from a photo's (three saturated colours, one orientation of edges), so a
/// transfer onto a photo is plain to see.
pub fn stripes(size: usize) -> Result<Vec<f32>> {
    ensure!(
        (1..=MAX_SIDE).contains(&size),
        "a style image is 1 to {MAX_SIDE} pixels wide, not {size}"
    );
    const COLOURS: [[f32; 3]; 3] = [[0.1, 0.2, 0.65], [0.95, 0.8, 0.1], [0.8, 0.15, 0.1]];
    let n = size * size;
    let mut image = vec![0.0; 3 * n];
    for y in 0..size {
        for x in 0..size {
            let t = (x + y) % 12;
            let shade = [0.7, 1.0, 1.0, 0.7][t % 4];
            for (c, v) in COLOURS[t / 4].iter().enumerate() {
                image[c * n + y * size + x] = v * shade;
            }
        }
    }
    Ok(image)
}

/// The Gram matrix of activations `a` (`[c, h, w]`): `G_kk' = Σ_ij a_ijk a_ijk'` (lecture 42),
/// `c × c`, row-major.
pub fn gram(a: &[f32], c: usize) -> Result<Vec<f32>> {
    Ok(gram64(a, c)?.into_iter().map(|v| v as f32).collect())
}

/// [`gram`] kept in f64, for the costs and their gradients.
fn gram64(a: &[f32], c: usize) -> Result<Vec<f64>> {
    ensure!(
        c >= 1 && a.len().is_multiple_of(c),
        "{} activations are not {c} channels",
        a.len()
    );
    let hw = a.len() / c;
    let mut g = vec![0.0; c * c];
    for k in 0..c {
        for l in k..c {
            let s = a[k * hw..(k + 1) * hw]
                .iter()
                .zip(&a[l * hw..(l + 1) * hw])
                .map(|(&x, &y)| f64::from(x) * f64::from(y))
                .sum::<f64>();
            g[k * c + l] = s;
            g[l * c + k] = s;
        }
    }
    Ok(g)
}

/// J_content = ½ ‖a(C) − a(G)‖² (lecture 41).
pub fn content_cost(content: &[f32], generated: &[f32]) -> Result<f64> {
    ensure!(
        content.len() == generated.len(),
        "activations of {} and {} values cannot be compared",
        content.len(),
        generated.len()
    );
    let sum: f64 = content
        .iter()
        .zip(generated)
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
        .sum();
    Ok(0.5 * sum)
}

/// J_style^[l] = Σ_kk' (G(S)_kk' − G(G)_kk')² / (2 n_H n_W n_C)² for Gram matrices of a layer of
/// `n_h × n_w × n_c` activations (lecture 42).
pub fn style_layer_cost(style: &[f32], generated: &[f32], dims: [usize; 3]) -> Result<f64> {
    let widen = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
    style_cost64(&widen(style), &widen(generated), dims)
}

fn style_cost64(style: &[f64], generated: &[f64], [n_h, n_w, n_c]: [usize; 3]) -> Result<f64> {
    ensure!(
        style.len() == n_c * n_c && generated.len() == n_c * n_c,
        "Gram matrices of a {n_c}-channel layer have {} values, got {} and {}",
        n_c * n_c,
        style.len(),
        generated.len()
    );
    let norm = (2.0 * (n_h * n_w * n_c) as f64).powi(2);
    let sum: f64 = style
        .iter()
        .zip(generated)
        .map(|(s, g)| (s - g).powi(2))
        .sum();
    Ok(sum / norm)
}

/// The layers the generator follows: the first conv's ReLU output and its 2x2 max pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// ReLU(conv(x)), `[k, size − f + 1, size − f + 1]`.
    Relu,
    /// 2x2 max pool (stride 2) of it.
    Pool,
}

/// Activations of one image through conv → ReLU → max pool.
#[derive(Clone, Debug)]
pub struct Forward {
    /// ReLU(conv(x)), `[k, h, w]`.
    pub relu: Vec<f32>,
    /// `[h, w]` of `relu`.
    pub relu_side: [usize; 2],
    /// Max pool of `relu`, `[k, h/2, w/2]`.
    pub pool: Vec<f32>,
    /// `[h/2, w/2]`.
    pub pool_side: [usize; 2],
    /// For every pooled value, the index in `relu` it came from.
    argmax: Vec<usize>,
}

impl Forward {
    /// The activations of `layer`, with their `[n_h, n_w, n_c]`.
    pub fn layer(&self, layer: Layer, k: usize) -> (&[f32], [usize; 3]) {
        match layer {
            Layer::Relu => (&self.relu, [self.relu_side[0], self.relu_side[1], k]),
            Layer::Pool => (&self.pool, [self.pool_side[0], self.pool_side[1], k]),
        }
    }
}

/// conv (valid, stride 1) → ReLU → 2x2 max pool of a `[c, size, size]` image.
pub fn forward(net: &ConvWeights, image: &[f32], size: usize) -> Result<Forward> {
    ensure!(
        (net.f..=MAX_SIDE).contains(&size),
        "the image side {size} must be between the kernel {} and {MAX_SIDE}",
        net.f
    );
    ensure!(
        image.len() == net.c * size * size,
        "the image has {} values but [{}, {size}, {size}] needs {}",
        image.len(),
        net.c,
        net.c * size * size
    );
    let o = output_size_symmetric(size, net.f, 0, 1)?;
    let (k, c, f) = (net.k, net.c, net.f);
    let mut relu = vec![0.0; k * o * o];
    for kk in 0..k {
        let out = &mut relu[kk * o * o..(kk + 1) * o * o];
        out.fill(net.bias[kk]);
        for cc in 0..c {
            let plane = &image[cc * size * size..(cc + 1) * size * size];
            for i in 0..f {
                for j in 0..f {
                    let w = net.weight[((kk * c + cc) * f + i) * f + j];
                    for y in 0..o {
                        let row = &plane[(y + i) * size + j..(y + i) * size + j + o];
                        for (v, x) in out[y * o..(y + 1) * o].iter_mut().zip(row) {
                            *v += w * x;
                        }
                    }
                }
            }
        }
        for v in out.iter_mut() {
            *v = v.max(0.0);
        }
    }
    let p = output_size_symmetric(o, 2, 0, 2)?;
    let mut pool = vec![0.0; k * p * p];
    let mut argmax = vec![0; k * p * p];
    for kk in 0..k {
        for y in 0..p {
            for x in 0..p {
                let mut best = (f32::NEG_INFINITY, 0);
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let at = kk * o * o + (2 * y + dy) * o + 2 * x + dx;
                    if relu[at] > best.0 {
                        best = (relu[at], at);
                    }
                }
                pool[(kk * p + y) * p + x] = best.0;
                argmax[(kk * p + y) * p + x] = best.1;
            }
        }
    }
    Ok(Forward {
        relu,
        relu_side: [o, o],
        pool,
        pool_side: [p, p],
        argmax,
    })
}

/// The costs of one generated image.
#[derive(Clone, Debug, PartialEq)]
pub struct Costs {
    /// J_content(C, G).
    pub content: f64,
    /// J_style^[l](S, G) for every style layer, in the order given.
    pub style_layers: Vec<f64>,
    /// J_style = Σ_l λ^[l] J_style^[l].
    pub style: f64,
    /// J(G) = α J_content + β J_style.
    pub total: f64,
}

/// A style transfer problem (lecture 40): the targets from C and S, and how to weigh them.
#[derive(Clone, Debug)]
pub struct Problem {
    net: ConvWeights,
    size: usize,
    content_layer: Layer,
    content_target: Vec<f32>,
    style_layers: Vec<(Layer, f32, Vec<f64>)>,
    alpha: f32,
    beta: f32,
}

impl Problem {
    /// Targets from `content` and `style` images (`[3, size, size]`), the content layer,
    /// `(layer, λ)` style layers and the weights α and β.
    pub fn new(
        net: ConvWeights,
        size: usize,
        (content, content_layer): (&[f32], Layer),
        style: &[f32],
        style_layers: &[(Layer, f32)],
        alpha: f32,
        beta: f32,
    ) -> Result<Problem> {
        ensure!(
            alpha.is_finite() && beta.is_finite() && alpha >= 0.0 && beta >= 0.0,
            "α and β must be numbers ≥ 0, got {alpha} and {beta}"
        );
        ensure!(
            !style_layers.is_empty(),
            "at least one style layer is needed"
        );
        ensure!(
            net.c == 3,
            "style transfer paints colour images, so the first conv must read 3 channels (R, G, B); this one reads {}: choose a model whose input is RGB",
            net.c
        );
        let c = forward(&net, content, size)?;
        let s = forward(&net, style, size)?;
        let content_target = c.layer(content_layer, net.k).0.to_vec();
        let style_layers = style_layers
            .iter()
            .map(|&(layer, lambda)| Ok((layer, lambda, gram64(s.layer(layer, net.k).0, net.k)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Problem {
            net,
            size,
            content_layer,
            content_target,
            style_layers,
            alpha,
            beta,
        })
    }

    /// The image side.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The Gram matrix of S at the `i`-th style layer.
    pub fn style_gram(&self, i: usize) -> Option<Vec<f32>> {
        self.style_layers
            .get(i)
            .map(|l| l.2.iter().map(|&v| v as f32).collect())
    }

    /// The layer of the `i`-th style term.
    pub fn style_layer(&self, i: usize) -> Option<Layer> {
        self.style_layers.get(i).map(|l| l.0)
    }

    /// J(G) and its parts for image `g`.
    pub fn costs(&self, g: &[f32]) -> Result<Costs> {
        Ok(self.costs_and_gradient(g, false)?.0)
    }

    /// J(G), its parts, and ∂J/∂G (`[3, size, size]`), by the backward pass through the Gram
    /// matrices (∂/∂a of Σ(G(S) − G(G))² is −4 (G(S) − G(G)) a), the content difference, the max
    /// pool (to its argmax), the ReLU (where its input was positive) and the conv (its transpose).
    pub fn gradient(&self, g: &[f32]) -> Result<(Costs, Vec<f32>)> {
        self.costs_and_gradient(g, true)
    }

    fn costs_and_gradient(&self, g: &[f32], backward: bool) -> Result<(Costs, Vec<f32>)> {
        let k = self.net.k;
        let fw = forward(&self.net, g, self.size)?;
        let (mut d_relu, mut d_pool) = (vec![0.0; fw.relu.len()], vec![0.0; fw.pool.len()]);
        let (a, _) = fw.layer(self.content_layer, k);
        let content = content_cost(&self.content_target, a)?;
        let target = match self.content_layer {
            Layer::Relu => &mut d_relu,
            Layer::Pool => &mut d_pool,
        };
        for ((d, x), t) in target.iter_mut().zip(a).zip(&self.content_target) {
            *d += self.alpha * (x - t);
        }
        let mut style_layers = Vec::with_capacity(self.style_layers.len());
        let mut style = 0.0;
        for (layer, lambda, target_gram) in &self.style_layers {
            let (a, dims) = fw.layer(*layer, k);
            let gg = gram64(a, k)?;
            let cost = style_cost64(target_gram, &gg, dims)?;
            style_layers.push(cost);
            style += f64::from(*lambda) * cost;
            if backward {
                let norm = (2.0 * (dims[0] * dims[1] * dims[2]) as f64).powi(2);
                let scale = f64::from(self.beta * lambda) * 4.0 / norm;
                let hw = a.len() / k;
                let d = match layer {
                    Layer::Relu => &mut d_relu,
                    Layer::Pool => &mut d_pool,
                };
                for kk in 0..k {
                    for l in 0..k {
                        let diff = (scale * (gg[kk * k + l] - target_gram[kk * k + l])) as f32;
                        if diff == 0.0 {
                            continue;
                        }
                        let (dst, src) = (kk * hw, l * hw);
                        for i in 0..hw {
                            d[dst + i] += diff * a[src + i];
                        }
                    }
                }
            }
        }
        let costs = Costs {
            content,
            total: f64::from(self.alpha) * content + f64::from(self.beta) * style,
            style_layers,
            style,
        };
        if !backward {
            return Ok((costs, Vec::new()));
        }
        for (d, &at) in d_pool.iter().zip(&fw.argmax) {
            d_relu[at] += d;
        }
        for (d, &r) in d_relu.iter_mut().zip(&fw.relu) {
            if r <= 0.0 {
                *d = 0.0;
            }
        }
        Ok((
            costs,
            conv_backward_input(&self.net, &d_relu, fw.relu_side[0], self.size),
        ))
    }
}

/// The activations of image `g` through `problem`'s layers (what its costs see).
pub fn forward_of(problem: &Problem, g: &[f32]) -> Result<Forward> {
    forward(&problem.net, g, problem.size)
}

/// ∂L/∂x of a valid, stride-1 conv from ∂L/∂z (`[k, o, o]`): every output's gradient goes back to
/// the inputs its window read, times the weights.
fn conv_backward_input(net: &ConvWeights, dz: &[f32], o: usize, size: usize) -> Vec<f32> {
    let (k, c, f) = (net.k, net.c, net.f);
    let mut dx = vec![0.0; c * size * size];
    for kk in 0..k {
        let grad = &dz[kk * o * o..(kk + 1) * o * o];
        for cc in 0..c {
            let plane = &mut dx[cc * size * size..(cc + 1) * size * size];
            for i in 0..f {
                for j in 0..f {
                    let w = net.weight[((kk * c + cc) * f + i) * f + j];
                    for y in 0..o {
                        let row = &mut plane[(y + i) * size + j..(y + i) * size + j + o];
                        for (v, g) in row.iter_mut().zip(&grad[y * o..(y + 1) * o]) {
                            *v += w * g;
                        }
                    }
                }
            }
        }
    }
    dx
}

/// Gradient descent on G (lecture 40) with Adam steps, pixels kept in 0..1.
#[derive(Clone, Debug)]
pub struct Generator {
    problem: Problem,
    image: Vec<f32>,
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
    rate: f32,
}

impl Generator {
    /// Starts from `start` (`[3, size, size]` in 0..1, e.g. C), or from uniform noise drawn from
    /// `seed` when `None`, with learning rate `rate`.
    pub fn new(problem: Problem, start: Option<&[f32]>, seed: u64, rate: f32) -> Result<Generator> {
        let n = 3 * problem.size * problem.size;
        let image = match start {
            Some(s) => {
                ensure!(
                    s.len() == n,
                    "the start image has {} values, not {n}",
                    s.len()
                );
                s.to_vec()
            }
            None => {
                let mut rng = Rng::new(seed);
                (0..n).map(|_| rng.unit()).collect()
            }
        };
        ensure!(
            rate > 0.0 && rate.is_finite(),
            "the learning rate must be > 0, got {rate}"
        );
        Ok(Generator {
            problem,
            m: vec![0.0; n],
            v: vec![0.0; n],
            image,
            t: 0,
            rate,
        })
    }

    /// One step: J(G) before it, then G ← G − rate · Adam(∂J/∂G), clamped to 0..1.
    pub fn step(&mut self) -> Result<Costs> {
        let (costs, grad) = self.problem.gradient(&self.image)?;
        self.t += 1;
        let (b1, b2) = (0.9f32, 0.999f32);
        let (c1, c2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t));
        for (((x, g), m), v) in self
            .image
            .iter_mut()
            .zip(&grad)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *x = (*x - self.rate * (*m / c1) / ((*v / c2).sqrt() + 1e-8)).clamp(0.0, 1.0);
        }
        Ok(costs)
    }

    /// The current G, `[3, size, size]`.
    pub fn image(&self) -> &[f32] {
        &self.image
    }

    /// The problem it solves.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Steps taken.
    pub fn iterations(&self) -> usize {
        self.t as usize
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stripes_cycle_three_colours_along_the_diagonal() {
        let s = stripes(12).unwrap();
        let n = 144;
        let at = |x: usize, y: usize| [s[y * 12 + x], s[n + y * 12 + x], s[2 * n + y * 12 + x]];
        assert_eq!(at(1, 0), [0.1, 0.2, 0.65]);
        assert_eq!(at(0, 5), [0.95, 0.8, 0.1]);
        assert_eq!(at(5, 0), at(0, 5));
        assert_eq!(at(9, 0), [0.8, 0.15, 0.1]);
        assert_eq!(at(0, 0), [0.1 * 0.7, 0.2 * 0.7, 0.65 * 0.7]);
        assert!(stripes(0).is_err());
    }

    use super::*;

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| rng.range(-0.5, 0.5)).collect()
    }

    fn net() -> ConvWeights {
        ConvWeights::new(&[4, 3, 3, 3], random(108, 1), random(4, 2)).unwrap()
    }

    #[test]
    fn gram_matrix_and_costs_on_hand_made_activations() {
        // Two channels of 2x2: [1, 2, 3, 4] and [0, 1, 0, 1].
        let a = [1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 0.0, 1.0];
        assert_eq!(gram(&a, 2).unwrap(), [30.0, 6.0, 6.0, 2.0]);
        assert_eq!(content_cost(&[1.0, 2.0], &[2.0, 4.0]).unwrap(), 2.5);
        // (2·2·2·2)² = 256; Σ diff² = 4 + 0 + 0 + 16 = 20.
        let j =
            style_layer_cost(&[30.0, 6.0, 6.0, 2.0], &[28.0, 6.0, 6.0, 6.0], [2, 2, 2]).unwrap();
        assert_eq!(j, 20.0 / 256.0);
        assert!(style_layer_cost(&[1.0], &[1.0, 2.0], [1, 1, 1]).is_err());
    }

    /// ∂J/∂G against central differences on a 10x10 image, for the content cost at either layer
    /// and the style cost at both.
    #[test]
    fn gradients_match_finite_differences() {
        let size = 10;
        let (c, s, g) = (
            random(300, 3).iter().map(|v| v + 0.5).collect::<Vec<_>>(),
            random(300, 4).iter().map(|v| v + 0.5).collect::<Vec<_>>(),
            random(300, 5).iter().map(|v| v + 0.5).collect::<Vec<_>>(),
        );
        for (content_layer, styles, alpha, beta) in [
            (Layer::Relu, vec![(Layer::Relu, 1.0)], 1.0, 0.0),
            (Layer::Pool, vec![(Layer::Pool, 1.0)], 1.0, 0.0),
            (
                Layer::Relu,
                vec![(Layer::Relu, 0.5), (Layer::Pool, 0.5)],
                0.0,
                1e3,
            ),
            (
                Layer::Pool,
                vec![(Layer::Relu, 0.3), (Layer::Pool, 0.7)],
                1.0,
                1e3,
            ),
        ] {
            let p =
                Problem::new(net(), size, (&c, content_layer), &s, &styles, alpha, beta).unwrap();
            let (_, grad) = p.gradient(&g).unwrap();
            let mut checked = 0;
            for i in (0..300).step_by(7) {
                let eps = 1e-3;
                let mut plus = g.clone();
                plus[i] += eps;
                let mut minus = g.clone();
                minus[i] -= eps;
                let j = |x: &[f32]| p.costs(x).unwrap().total;
                let (up, here, down) = (j(&plus), j(&g), j(&minus));
                let eps = f64::from(eps);
                let fd = (up - down) / (2.0 * eps);
                let grad = f64::from(grad[i]);
                let tolerance = 2e-2 * fd.abs().max(grad.abs()).max(1e-3);
                // A ReLU or a max pool switching inside ±eps is a kink: the one-sided slopes
                // disagree there, and no derivative exists to compare with.
                if ((up - here) / eps - (here - down) / eps).abs() > tolerance {
                    continue;
                }
                assert!(
                    (fd - grad).abs() <= tolerance,
                    "{content_layer:?} {styles:?}: pixel {i}: finite difference {fd}, backward {grad}"
                );
                checked += 1;
            }
            assert!(
                checked >= 35,
                "only {checked} of 43 pixels were away from kinks"
            );
        }
    }

    #[test]
    fn gradient_descent_lowers_the_cost() {
        let size = 12;
        let c: Vec<f32> = random(432, 6).iter().map(|v| v + 0.5).collect();
        let s: Vec<f32> = random(432, 7).iter().map(|v| v + 0.5).collect();
        let p = Problem::new(
            net(),
            size,
            (&c, Layer::Relu),
            &s,
            &[(Layer::Relu, 1.0)],
            1.0,
            100.0,
        )
        .unwrap();
        let mut gen = Generator::new(p, None, 9, 0.02).unwrap();
        let first = gen.step().unwrap().total;
        let mut last = first;
        for _ in 0..60 {
            last = gen.step().unwrap().total;
        }
        assert!(last < 0.5 * first, "J went from {first} to {last}");
        assert!(gen.image().iter().all(|v| (0.0..=1.0).contains(v)));
    }
}
