// Forward and backward passes of torch.nn's RNN (tanh or ReLU), GRU and LSTM cells over a
// whole sequence, for every member of a population, each pass one call.
//
// The plain path (models/cells.py) runs about a dozen small torch ops per step and as many
// in autograd's backward, each a kernel call with a fixed cost far above its arithmetic at
// this project's sizes (H = 8, B = 64). Here a member's steps run in one loop, its states
// laid out [H][B] so that every inner loop runs over the batch (vectorized: the compiler
// turns exp into glibc's vector exp, see below). Members are independent and computed by
// the same code whatever the population, so a member's numbers do not depend on its
// population-mates; members are spread over torch's threads (at::parallel_for).
//
// Layouts follow models/cells.py: w_hh [P, H, G·H] (torch.nn's weight_hh transposed),
// biases [P, 1, G·H], gate blocks in torch.nn's order: GRU (r, z, n), LSTM (i, f, g, o).
#include <torch/extension.h>

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <vector>

#if defined(__x86_64__) && defined(__GLIBC__)
// glibc's math.h declares its vector variants (libmvec) only under -ffast-math, whose
// finite-math assumption would break the overflow of exp(-x) to inf in a saturated
// sigmoid. Declaring them here lets `#pragma omp simd` loops call the vector exp with
// IEEE semantics otherwise kept (libmvec's exp: within 4 ulp).
extern "C" {
float expf(float) noexcept __attribute__((simd("notinbranch")));
double exp(double) noexcept __attribute__((simd("notinbranch")));
}
#endif

namespace {

enum Cell { RNN_TANH = 0, RNN_RELU = 1, GRU = 2, LSTM = 3 };

int gates_of(int64_t cell) { return cell == GRU ? 3 : cell == LSTM ? 4 : 1; }

// Values kept per step for the backward pass besides the states: GRU r, z, n and
// W_hn·h + b_hn; LSTM i, f, g, o, c and tanh(c); the RNNs need only their states.
int kept_of(int64_t cell) { return cell == GRU ? 4 : cell == LSTM ? 6 : 0; }

template <typename T>
inline T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }

// 64 bytes of T (one AVX-512 register, two AVX ones): the products below keep their sums
// in such registers across a chunk of lanes. Unaligned, and allowed to alias T.
typedef float FloatLanes __attribute__((vector_size(64), aligned(4), may_alias));
typedef double DoubleLanes __attribute__((vector_size(64), aligned(8), may_alias));
template <typename T> struct LanesOf;
template <> struct LanesOf<float> { using type = FloatLanes; };
template <> struct LanesOf<double> { using type = DoubleLanes; };
template <typename T> using Lanes = typename LanesOf<T>::type;
template <typename T> constexpr int64_t kLanes = 64 / sizeof(T);

template <typename T>
inline Lanes<T> load(const T* x) { return *reinterpret_cast<const Lanes<T>*>(x); }
template <typename T>
inline void store(T* x, Lanes<T> v) { *reinterpret_cast<Lanes<T>*>(x) = v; }

// The batch padded to whole chunks of lanes.
template <typename T>
int64_t padded(int64_t batch) { return (batch + kLanes<T> - 1) / kLanes<T> * kLanes<T>; }

// tanh as 2σ(2x) − 1: one vector exp, and ±1 where exp overflows.
template <typename T>
inline T tanh_of(T x) { return T(2) / (T(1) + std::exp(T(-2) * x)) - T(1); }

// One member's sequence. Scratch and kept values are this member's slices. Every row of
// B lanes holds the batch padded to whole chunks (`padded`): the padding lanes repeat the
// last sequence forward and carry zero gradient backward, so they add nothing.
template <typename T>
struct Member {
  int64_t cell, H, G, B, steps;
  const T* w_hh;  // [H][G]
  const T* b_hh;  // [G]
  T* hs;          // [steps + 1][H][B], hs[0] = 0
  T* kept;        // [steps][K·H][B]
};

// ax [G][B] holds the input part W_ih·x_t + b_ih of step t; computes h_{t+1}.
template <typename T>
void forward_step(const Member<T>& m, int64_t t, const T* ax, T* ah) {
  const int64_t H = m.H, G = m.G, B = m.B, HB = H * B;
  const T* h = m.hs + t * HB;
  T* out = m.hs + (t + 1) * HB;
  for (int64_t c = 0; c < B; c += kLanes<T>)
    for (int64_t g = 0; g < G; ++g) {
      Lanes<T> sum = Lanes<T>{} + m.b_hh[g];
      for (int64_t j = 0; j < H; ++j) sum += m.w_hh[j * G + g] * load(h + j * B + c);
      store(ah + g * B + c, sum);
    }
  if (m.cell == RNN_TANH) {
#pragma omp simd
    for (int64_t i = 0; i < HB; ++i) out[i] = tanh_of(ax[i] + ah[i]);
  } else if (m.cell == RNN_RELU) {
#pragma omp simd
    for (int64_t i = 0; i < HB; ++i) {
      const T a = ax[i] + ah[i];
      out[i] = a > T(0) ? a : T(0);
    }
  } else if (m.cell == GRU) {
    T* k = m.kept + t * 4 * HB;
#pragma omp simd
    for (int64_t i = 0; i < HB; ++i) {
      const T r = sigmoid(ax[i] + ah[i]);
      const T z = sigmoid(ax[HB + i] + ah[HB + i]);
      const T hn = ah[2 * HB + i];
      const T n = tanh_of(ax[2 * HB + i] + r * hn);
      out[i] = n + z * (h[i] - n);
      k[i] = r, k[HB + i] = z, k[2 * HB + i] = n, k[3 * HB + i] = hn;
    }
  } else {
    T* k = m.kept + t * 6 * HB;
    const T* c_prev = t > 0 ? m.kept + (t - 1) * 6 * HB + 4 * HB : nullptr;
#pragma omp simd
    for (int64_t i = 0; i < HB; ++i) {
      const T in = sigmoid(ax[i] + ah[i]);
      const T f = sigmoid(ax[HB + i] + ah[HB + i]);
      const T g = tanh_of(ax[2 * HB + i] + ah[2 * HB + i]);
      const T o = sigmoid(ax[3 * HB + i] + ah[3 * HB + i]);
      const T c = (c_prev ? f * c_prev[i] : T(0)) + in * g;
      const T tc = tanh_of(c);
      out[i] = o * tc;
      k[i] = in, k[HB + i] = f, k[2 * HB + i] = g, k[3 * HB + i] = o;
      k[4 * HB + i] = c, k[5 * HB + i] = tc;
    }
  }
}

// Step t's backward: dh [H][B] (and dc for the LSTM) hold d loss / d h_{t+1} (c_{t+1});
// on return they hold d loss / d h_t (c_t). dx [G][B] receives the gradient of the step's
// input part, da [G][B] that of W_hh·h + b_hh. The gradients of W_hh and b_hh are summed
// per lane into dw_lanes [H][G] and db_lanes [G] (rows of kLanes), across lanes at the end
// (`add_lanes`).
template <typename T>
void backward_step(const Member<T>& m, int64_t t, T* dh, T* dc, T* dx, T* da, T* base,
                   Lanes<T>* dw_lanes, Lanes<T>* db_lanes) {
  const int64_t H = m.H, G = m.G, B = m.B, HB = H * B;
  const T* h = m.hs + t * HB;
  // dh_t = base [H][B] + W_hh · da; the GRU's base is dh ⊙ z (h_t's direct path), else 0.
  std::fill(base, base + HB, T(0));
  if (m.cell == RNN_TANH || m.cell == RNN_RELU) {
    const T* y = m.hs + (t + 1) * HB;
    if (m.cell == RNN_TANH) {
#pragma omp simd
      for (int64_t i = 0; i < HB; ++i) da[i] = dh[i] * (T(1) - y[i] * y[i]);
    } else {
#pragma omp simd
      for (int64_t i = 0; i < HB; ++i) da[i] = y[i] > T(0) ? dh[i] : T(0);
    }
    std::copy(da, da + G * B, dx);
  } else if (m.cell == GRU) {
    const T* k = m.kept + t * 4 * HB;
    T* bp = base;
#pragma omp simd
    for (int64_t i = 0; i < HB; ++i) {
      const T r = k[i], z = k[HB + i], n = k[2 * HB + i], hn = k[3 * HB + i];
      const T d = dh[i];
      const T dn = d * (T(1) - z) * (T(1) - n * n);  // through n's tanh
      const T dr = dn * hn * r * (T(1) - r);
      const T dz = d * (h[i] - n) * z * (T(1) - z);
      dx[i] = dr, dx[HB + i] = dz, dx[2 * HB + i] = dn;
      da[i] = dr, da[HB + i] = dz, da[2 * HB + i] = dn * r;
      bp[i] = d * z;
    }
  } else {
    const T* k = m.kept + t * 6 * HB;
    const T* c_prev = t > 0 ? m.kept + (t - 1) * 6 * HB + 4 * HB : nullptr;
#pragma omp simd
    for (int64_t i = 0; i < HB; ++i) {
      const T in = k[i], f = k[HB + i], g = k[2 * HB + i], o = k[3 * HB + i];
      const T tc = k[5 * HB + i];
      const T d = dh[i];
      const T c_grad = dc[i] + d * o * (T(1) - tc * tc);
      da[i] = c_grad * g * in * (T(1) - in);
      da[HB + i] = c_prev ? c_grad * c_prev[i] * f * (T(1) - f) : T(0);
      da[2 * HB + i] = c_grad * in * (T(1) - g * g);
      da[3 * HB + i] = d * tc * o * (T(1) - o);
      dc[i] = c_grad * f;
    }
    std::copy(da, da + G * B, dx);
  }
  for (int64_t g = 0; g < G; ++g) {
    const T* dg = da + g * B;
    Lanes<T> sum{};
    for (int64_t c = 0; c < B; c += kLanes<T>) sum += load(dg + c);
    db_lanes[g] += sum;
    for (int64_t j = 0; j < H; ++j) {
      const T* hj = h + j * B;
      Lanes<T> w{};
      for (int64_t c = 0; c < B; c += kLanes<T>) w += load(hj + c) * load(dg + c);
      dw_lanes[j * G + g] += w;
    }
  }
  for (int64_t c = 0; c < B; c += kLanes<T>)
    for (int64_t j = 0; j < H; ++j) {
      Lanes<T> sum = load(base + j * B + c);
      for (int64_t g = 0; g < G; ++g) sum += m.w_hh[j * G + g] * load(da + g * B + c);
      store(dh + j * B + c, sum);
    }
}

// to[i] += the sum of the lanes of from[i], for i < n.
template <typename T>
void add_lanes(const Lanes<T>* from, T* to, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T sum = T(0);
    for (int64_t l = 0; l < kLanes<T>; ++l) sum += from[i][l];
    to[i] += sum;
  }
}

// Member p's slice of x [P, ...]: members may be any stride apart (rows of the flat
// parameter tensor [P, N], or one row broadcast with stride 0).
template <typename T>
T* of(const at::Tensor& x, int64_t p) { return x.data_ptr<T>() + p * x.stride(0); }

// x must be a CPU tensor of `dim` dimensions whose member slices are contiguous.
void check(const at::Tensor& x, int64_t dim, const char* name) {
  TORCH_CHECK(x.device().is_cpu(), name, " must be on the CPU");
  TORCH_CHECK(x.dim() == dim, name, " must have ", dim, " dimensions");
  int64_t stride = 1;
  for (int64_t d = dim - 1; d >= 1; --d) {
    TORCH_CHECK(x.size(d) == 1 || x.stride(d) == stride, name,
                "'s member slices must be contiguous");
    stride *= x.size(d);
  }
}

// What a forward pass keeps for its backward: the states [P, steps + 1, H, lanes] and the
// kept values [P, steps, K·H, lanes], lanes the padded batch.
std::vector<at::Tensor> saved(int64_t cell, int64_t P, int64_t steps, int64_t H, int64_t B,
                              const at::TensorOptions& options) {
  const int64_t lanes = options.dtype() == at::kFloat ? padded<float>(B) : padded<double>(B);
  return {at::empty({P, steps + 1, H, lanes}, options),
          at::empty({P, std::max<int64_t>(1, steps * kept_of(cell) * H * lanes)}, options)};
}

template <typename T>
Member<T> member(int64_t cell, int64_t p, int64_t H, int64_t B, int64_t steps,
                 const at::Tensor& w_hh, const T* b_hh, const at::Tensor& hs,
                 const at::Tensor& kept) {
  return Member<T>{cell, H, gates_of(cell) * H, padded<T>(B), steps, of<T>(w_hh, p), b_hh,
                   of<T>(hs, p), of<T>(kept, p)};
}

// Per-member scratch rows of a backward pass.
template <typename T>
struct Scratch {
  std::vector<T> dh, dc, dx, da, base;
  std::vector<Lanes<T>> dw, db;
  Scratch(int64_t H, int64_t G, int64_t lanes)
      : dh(H * lanes), dc(H * lanes), dx(G * lanes), da(G * lanes), base(H * lanes),
        dw(H * G), db(G) {}
  void clear() {
    std::fill(dh.begin(), dh.end(), T(0)), std::fill(dc.begin(), dc.end(), T(0));
    std::fill(base.begin(), base.end(), T(0));
    std::fill(dw.begin(), dw.end(), Lanes<T>{}), std::fill(db.begin(), db.end(), Lanes<T>{});
  }
};

// -- a scan over given inputs (models/stacked.py's layers) --------------------------------

// gx [P, T, B, G·H] (the input parts W_ih·x + b_ih), w_hh [P, H, G·H], b_hh [P, 1, G·H] →
// (states [T, P, B, H], saved states, kept values).
std::vector<at::Tensor> scan_forward(int64_t cell, const at::Tensor& gx, const at::Tensor& w_hh,
                                     const at::Tensor& b_hh) {
  check(gx, 4, "gx"), check(w_hh, 3, "w_hh"), check(b_hh, 3, "b_hh");
  const int64_t P = gx.size(0), steps = gx.size(1), B = gx.size(2), G = gx.size(3);
  const int64_t H = w_hh.size(1);
  TORCH_CHECK(G == gates_of(cell) * H && w_hh.size(0) == P && b_hh.size(0) == P,
              "gx, w_hh and b_hh do not fit the cell");
  auto keep = saved(cell, P, steps, H, B, gx.options());
  at::Tensor states = at::empty({steps, P, B, H}, gx.options());
  AT_DISPATCH_FLOATING_TYPES(gx.scalar_type(), "scan_forward", [&] {
    using T = scalar_t;
    const int64_t L = padded<T>(B);
    at::parallel_for(0, P, 1, [&](int64_t begin, int64_t end) {
      std::vector<T> ax(G * L), ah(G * L);
      for (int64_t p = begin; p < end; ++p) {
        auto m = member<T>(cell, p, H, B, steps, w_hh, of<T>(b_hh, p), keep[0], keep[1]);
        std::fill(m.hs, m.hs + H * L, T(0));
        const T* x = of<T>(gx, p);
        T* out = states.data_ptr<T>();
        for (int64_t t = 0; t < steps; ++t) {
          for (int64_t b = 0; b < L; ++b) {
            const T* row = x + (t * B + std::min(b, B - 1)) * G;
            for (int64_t g = 0; g < G; ++g) ax[g * L + b] = row[g];
          }
          forward_step(m, t, ax.data(), ah.data());
          const T* y = m.hs + (t + 1) * H * L;
          for (int64_t b = 0; b < B; ++b)
            for (int64_t j = 0; j < H; ++j) out[((t * P + p) * B + b) * H + j] = y[j * L + b];
        }
      }
    });
  });
  return {states, keep[0], keep[1]};
}

// grad_states [T, P, B, H] → (grad gx [P, T, B, G·H], grad w_hh, grad b_hh).
std::vector<at::Tensor> scan_backward(int64_t cell, const at::Tensor& grad_states,
                                      const at::Tensor& w_hh, const at::Tensor& hs,
                                      const at::Tensor& kept) {
  check(w_hh, 3, "w_hh");
  TORCH_CHECK(grad_states.dim() == 4 && grad_states.is_contiguous(),
              "grad_states must be a contiguous [T, P, B, H] tensor");
  const int64_t steps = grad_states.size(0), P = grad_states.size(1), B = grad_states.size(2);
  const int64_t H = w_hh.size(1), G = w_hh.size(2);
  at::Tensor grad_gx = at::empty({P, steps, B, G}, grad_states.options());
  at::Tensor grad_w_hh = at::zeros(w_hh.sizes(), w_hh.options());
  at::Tensor grad_b_hh = at::zeros({P, 1, G}, w_hh.options());
  AT_DISPATCH_FLOATING_TYPES(w_hh.scalar_type(), "scan_backward", [&] {
    using T = scalar_t;
    const int64_t L = padded<T>(B);
    at::parallel_for(0, P, 1, [&](int64_t begin, int64_t end) {
      Scratch<T> s(H, G, L);
      for (int64_t p = begin; p < end; ++p) {
        auto m = member<T>(cell, p, H, B, steps, w_hh, nullptr, hs, kept);
        s.clear();
        const T* gy = grad_states.data_ptr<T>();
        T* gx = grad_gx.data_ptr<T>() + p * steps * B * G;
        for (int64_t t = steps - 1; t >= 0; --t) {
          for (int64_t b = 0; b < B; ++b)
            for (int64_t j = 0; j < H; ++j) s.dh[j * L + b] += gy[((t * P + p) * B + b) * H + j];
          backward_step(m, t, s.dh.data(), s.dc.data(), s.dx.data(), s.da.data(),
                        s.base.data(), s.dw.data(), s.db.data());
          for (int64_t b = 0; b < B; ++b)
            for (int64_t g = 0; g < G; ++g) gx[(t * B + b) * G + g] = s.dx[g * L + b];
        }
        add_lanes(s.dw.data(), grad_w_hh.data_ptr<T>() + p * H * G, H * G);
        add_lanes(s.db.data(), grad_b_hh.data_ptr<T>() + p * G, G);
      }
    });
  });
  return {grad_gx, grad_w_hh, grad_b_hh};
}

// -- the sentiment classifier (models/classifier.py): embedding, cell, readout ------------

// One member's weights, in models/classifier.py's layout: embedding [V, I], w_ih [I, G],
// w_hh [H, G], b_ih and b_hh [G], w_out [H, C], b_out [C].
template <typename T>
struct Classifier {
  int64_t cell, V, I, H, G, C;
  const T *emb, *w_ih, *w_hh, *b_ih, *b_hh, *w_out, *b_out;
};

// Gradients of one member's weights (added into; `emb` null: not wanted).
template <typename T>
struct ClassifierGrads {
  T *emb, *w_ih, *w_hh, *b_ih, *b_hh, *w_out, *b_out;
};

// Buffers of one member's pass over B sequences of `steps` words.
template <typename T>
struct Pass {
  int64_t B, steps, lanes;
  std::vector<int32_t> words;  // [steps][lanes]: the word of each lane at each step
  std::vector<T> table, ax, ah, d_table;
  Scratch<T> scratch;
  Pass(const Classifier<T>& w, int64_t B, int64_t steps)
      : B(B), steps(steps), lanes(padded<T>(B)), words(steps * lanes), table(w.G * w.V),
        ax(w.G * lanes), ah(w.G * lanes), d_table(w.V * w.G), scratch(w.H, w.G, lanes) {}
};

// Logits [B, C] of sequences tok [B, steps] (int64, row-major); the states and kept values
// go to hs and kept (a Member's layout) for `classifier_member_backward`.
template <typename T>
void classifier_member_forward(const Classifier<T>& w, const int64_t* tok, Pass<T>& pass,
                               T* hs, T* kept, T* logits) {
  const int64_t B = pass.B, steps = pass.steps, L = pass.lanes, G = w.G, V = w.V, H = w.H;
  for (int64_t i = 0; i < B * steps; ++i)
    TORCH_CHECK(tok[i] >= 0 && tok[i] < V, "token ", tok[i], " outside the vocabulary");
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t b = 0; b < L; ++b)
      pass.words[t * L + b] = static_cast<int32_t>(tok[std::min(b, B - 1) * steps + t]);
  for (int64_t g = 0; g < G; ++g)  // the table W_ih·e(v) + b_ih, [G][V]
    for (int64_t v = 0; v < V; ++v) {
      T s = w.b_ih[g];
      for (int64_t i = 0; i < w.I; ++i) s += w.emb[v * w.I + i] * w.w_ih[i * G + g];
      pass.table[g * V + v] = s;
    }
  Member<T> m{w.cell, H, G, L, steps, w.w_hh, w.b_hh, hs, kept};
  std::fill(hs, hs + H * L, T(0));
  for (int64_t t = 0; t < steps; ++t) {
    const int32_t* words = pass.words.data() + t * L;
    for (int64_t g = 0; g < G; ++g) {
      const T* row = pass.table.data() + g * V;
      T* to = pass.ax.data() + g * L;
      for (int64_t b = 0; b < L; ++b) to[b] = row[words[b]];
    }
    forward_step(m, t, pass.ax.data(), pass.ah.data());
  }
  const T* h = hs + steps * H * L;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < w.C; ++c) {
      T s = w.b_out[c];
      for (int64_t j = 0; j < H; ++j) s += h[j * L + b] * w.w_out[j * w.C + c];
      logits[b * w.C + c] = s;
    }
}

// Adds the gradients of one member's weights for d loss / d logits `grad_logits` [B, C]
// into d, after `classifier_member_forward` of the same pass.
template <typename T>
void classifier_member_backward(const Classifier<T>& w, Pass<T>& pass, const T* hs,
                                const T* kept, const T* grad_logits,
                                const ClassifierGrads<T>& d) {
  const int64_t B = pass.B, L = pass.lanes, G = w.G, V = w.V, H = w.H, C = w.C, I = w.I;
  Scratch<T>& s = pass.scratch;
  s.clear();
  const T* h = hs + pass.steps * H * L;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c) d.b_out[c] += grad_logits[b * C + c];
  for (int64_t j = 0; j < H; ++j)
    for (int64_t b = 0; b < B; ++b) {
      T sum = T(0);
      for (int64_t c = 0; c < C; ++c) {
        sum += grad_logits[b * C + c] * w.w_out[j * C + c];
        d.w_out[j * C + c] += h[j * L + b] * grad_logits[b * C + c];
      }
      s.dh[j * L + b] = sum;
    }
  std::fill(pass.d_table.begin(), pass.d_table.end(), T(0));
  Member<T> m{w.cell, H, G, L, pass.steps, w.w_hh, nullptr, const_cast<T*>(hs),
              const_cast<T*>(kept)};
  for (int64_t t = pass.steps - 1; t >= 0; --t) {
    backward_step(m, t, s.dh.data(), s.dc.data(), s.dx.data(), s.da.data(), s.base.data(),
                  s.dw.data(), s.db.data());
    const int32_t* words = pass.words.data() + t * L;
    for (int64_t b = 0; b < B; ++b) {
      T* row = pass.d_table.data() + words[b] * G;
      for (int64_t g = 0; g < G; ++g) row[g] += s.dx[g * L + b];
    }
  }
  add_lanes(s.dw.data(), d.w_hh, H * G);
  add_lanes(s.db.data(), d.b_hh, G);
  // The table's gradient goes to b_ih, w_ih and the embedding.
  for (int64_t v = 0; v < V; ++v)
    for (int64_t g = 0; g < G; ++g) {
      const T dt = pass.d_table[v * G + g];
      d.b_ih[g] += dt;
      for (int64_t i = 0; i < I; ++i) {
        d.w_ih[i * G + g] += w.emb[v * I + i] * dt;
        if (d.emb) d.emb[v * I + i] += w.w_ih[i * G + g] * dt;
      }
    }
}

template <typename T>
Classifier<T> classifier_weights(int64_t cell, int64_t p, const at::Tensor& embedding,
                                 const at::Tensor& w_ih, const at::Tensor& w_hh,
                                 const at::Tensor& b_ih, const at::Tensor& b_hh,
                                 const at::Tensor& w_out, const at::Tensor& b_out) {
  return Classifier<T>{cell, embedding.size(1), embedding.size(2), w_hh.size(1), w_hh.size(2),
                       w_out.size(2), of<T>(embedding, p), of<T>(w_ih, p), of<T>(w_hh, p),
                       b_ih.defined() ? of<T>(b_ih, p) : nullptr,
                       b_hh.defined() ? of<T>(b_hh, p) : nullptr, of<T>(w_out, p),
                       b_out.defined() ? of<T>(b_out, p) : nullptr};
}

// tokens [P or 1, B, T] (int64), embedding [P, V, I], w_ih [P, I, G·H], b_ih [P, 1, G·H],
// w_hh, b_hh, w_out [P, H, C], b_out [P, 1, C] → (logits [P, B, C], saved states, kept).
std::vector<at::Tensor> classifier_forward(int64_t cell, const at::Tensor& tokens,
                                           const at::Tensor& embedding, const at::Tensor& w_ih,
                                           const at::Tensor& w_hh, const at::Tensor& b_ih,
                                           const at::Tensor& b_hh, const at::Tensor& w_out,
                                           const at::Tensor& b_out) {
  check(tokens, 3, "tokens"), check(embedding, 3, "embedding"), check(w_ih, 3, "w_ih");
  check(w_hh, 3, "w_hh"), check(b_ih, 3, "b_ih"), check(b_hh, 3, "b_hh");
  check(w_out, 3, "w_out"), check(b_out, 3, "b_out");
  TORCH_CHECK(tokens.scalar_type() == at::kLong, "tokens must be int64");
  const int64_t P = w_hh.size(0), H = w_hh.size(1), G = w_hh.size(2), C = w_out.size(2);
  const int64_t B = tokens.size(1), steps = tokens.size(2);
  TORCH_CHECK(G == gates_of(cell) * H && (tokens.size(0) == 1 || tokens.size(0) == P),
              "the weights do not fit the cell or the tokens the population");
  auto keep = saved(cell, P, steps, H, B, w_hh.options());
  at::Tensor logits = at::empty({P, B, C}, w_hh.options());
  const int64_t token_stride = tokens.size(0) == 1 ? 0 : tokens.stride(0);
  AT_DISPATCH_FLOATING_TYPES(w_hh.scalar_type(), "classifier_forward", [&] {
    using T = scalar_t;
    at::parallel_for(0, P, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        auto w = classifier_weights<T>(cell, p, embedding, w_ih, w_hh, b_ih, b_hh, w_out, b_out);
        Pass<T> pass(w, B, steps);
        classifier_member_forward(w, tokens.data_ptr<int64_t>() + p * token_stride, pass,
                                  of<T>(keep[0], p), of<T>(keep[1], p), of<T>(logits, p));
      }
    });
  });
  return {logits, keep[0], keep[1]};
}

// grad_logits [P, B, C] → gradients of (embedding, w_ih, w_hh, b_ih, b_hh, w_out, b_out).
std::vector<at::Tensor> classifier_backward(int64_t cell, const at::Tensor& grad_logits,
                                            const at::Tensor& tokens,
                                            const at::Tensor& embedding,
                                            const at::Tensor& w_ih, const at::Tensor& w_hh,
                                            const at::Tensor& w_out, const at::Tensor& hs,
                                            const at::Tensor& kept) {
  check(grad_logits, 3, "grad_logits");
  const int64_t P = w_hh.size(0), G = w_hh.size(2), C = w_out.size(2);
  const int64_t B = tokens.size(1), steps = tokens.size(2);
  const int64_t token_stride = tokens.size(0) == 1 ? 0 : tokens.stride(0);
  auto options = w_hh.options();
  at::Tensor d_emb = at::zeros(embedding.sizes(), options);
  at::Tensor d_w_ih = at::zeros(w_ih.sizes(), options), d_w_hh = at::zeros(w_hh.sizes(), options);
  at::Tensor d_b_ih = at::zeros({P, 1, G}, options), d_b_hh = at::zeros({P, 1, G}, options);
  at::Tensor d_w_out = at::zeros(w_out.sizes(), options);
  at::Tensor d_b_out = at::zeros({P, 1, C}, options);
  AT_DISPATCH_FLOATING_TYPES(w_hh.scalar_type(), "classifier_backward", [&] {
    using T = scalar_t;
    at::parallel_for(0, P, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        auto w = classifier_weights<T>(cell, p, embedding, w_ih, w_hh, at::Tensor(),
                                       at::Tensor(), w_out, at::Tensor());
        Pass<T> pass(w, B, steps);
        const int64_t* tok = tokens.data_ptr<int64_t>() + p * token_stride;
        const int64_t L = pass.lanes;
        for (int64_t t = 0; t < steps; ++t)  // the forward pass's words
          for (int64_t b = 0; b < L; ++b)
            pass.words[t * L + b] = static_cast<int32_t>(tok[std::min(b, B - 1) * steps + t]);
        ClassifierGrads<T> d{of<T>(d_emb, p), of<T>(d_w_ih, p), of<T>(d_w_hh, p),
                             of<T>(d_b_ih, p), of<T>(d_b_hh, p), of<T>(d_w_out, p),
                             of<T>(d_b_out, p)};
        classifier_member_backward(w, pass, of<T>(hs, p), of<T>(kept, p),
                                   of<T>(grad_logits, p), d);
      }
    });
  });
  return {d_emb, d_w_ih, d_w_hh, d_b_ih, d_b_hh, d_w_out, d_b_out};
}

// -- one epoch of training (training/trainer.train_epoch) ---------------------------------

// Minibatch Adam for every member: params [P, N] (the trainable weights in
// models/classifier.py's order: embedding if `learned`, w_ih, w_hh, b_ih, b_hh, w_out,
// b_out) and the Adam state exp_avg, exp_avg_sq [P, N], steps [P] (float64) are updated in
// place; fixed [P, M] holds the embedding otherwise. tokens [P, n, T] and labels [P, n]
// are each member's sequences in its order; lr [P] (float64). The arithmetic is
// train_epoch's: mean cross-entropy over each minibatch, torch.optim.Adam's update
// (PopulationAdam.step), a member whose loss or gradient is not finite stops being
// updated. Returns (summed loss [P] float64, correct [P] int64, finite [P] bool).
std::vector<at::Tensor> classifier_train_epoch(
    int64_t cell, const at::Tensor& params, const at::Tensor& fixed, bool learned, int64_t V,
    int64_t I, int64_t H, int64_t C, const at::Tensor& exp_avg, const at::Tensor& exp_avg_sq,
    const at::Tensor& steps_done, const at::Tensor& lr, const at::Tensor& tokens,
    const at::Tensor& labels, int64_t batch, double beta1, double beta2, double eps) {
  check(params, 2, "params"), check(fixed, 2, "fixed"), check(exp_avg, 2, "exp_avg");
  check(exp_avg_sq, 2, "exp_avg_sq"), check(tokens, 3, "tokens"), check(labels, 2, "labels");
  TORCH_CHECK(params.is_contiguous() && exp_avg.is_contiguous() && exp_avg_sq.is_contiguous()
              && steps_done.is_contiguous() && lr.is_contiguous(),
              "params and the Adam state must be contiguous");
  TORCH_CHECK(steps_done.scalar_type() == at::kDouble && lr.scalar_type() == at::kDouble,
              "steps and lr must be float64");
  const int64_t P = params.size(0), N = params.size(1), n = tokens.size(1);
  const int64_t length = tokens.size(2), G = gates_of(cell) * H;
  at::Tensor loss_sum = at::zeros({P}, params.options().dtype(at::kDouble));
  at::Tensor correct = at::zeros({P}, params.options().dtype(at::kLong));
  at::Tensor finite = at::ones({P}, params.options().dtype(at::kBool));
  AT_DISPATCH_FLOATING_TYPES(params.scalar_type(), "classifier_train_epoch", [&] {
    using T = scalar_t;
    at::parallel_for(0, P, 1, [&](int64_t begin, int64_t end) {
      std::vector<T> grad(N), logits(batch * C), grad_logits(batch * C);
      for (int64_t p = begin; p < end; ++p) {
        T* row = of<T>(params, p);
        T* m1 = of<T>(exp_avg, p);
        T* m2 = of<T>(exp_avg_sq, p);
        double* done = steps_done.data_ptr<double>() + p;
        const int64_t* tok = of<int64_t>(tokens, p);
        const int64_t* lab = of<int64_t>(labels, p);
        // Offsets of the weights in the row (and the embedding in `fixed` otherwise).
        const int64_t e_size = learned ? V * I : 0;
        const int64_t o_ih = e_size, o_hh = o_ih + I * G, o_bih = o_hh + H * G;
        const int64_t o_bhh = o_bih + G, o_out = o_bhh + G, o_bout = o_out + H * C;
        TORCH_CHECK(o_bout + C == N, "params do not have the classifier's layout");
        Classifier<T> w{cell, V, I, H, G, C, learned ? row : of<T>(fixed, p), row + o_ih,
                        row + o_hh, row + o_bih, row + o_bhh, row + o_out, row + o_bout};
        ClassifierGrads<T> d{learned ? grad.data() : nullptr, grad.data() + o_ih,
                             grad.data() + o_hh, grad.data() + o_bih, grad.data() + o_bhh,
                             grad.data() + o_out, grad.data() + o_bout};
        bool ok = true;
        double losses = 0.0;
        int64_t right = 0;
        std::vector<T> hs, kept;
        for (int64_t start = 0; start < n; start += batch) {
          const int64_t b = std::min(batch, n - start);
          Pass<T> pass(w, b, length);
          hs.resize((length + 1) * H * pass.lanes);
          kept.resize(std::max<int64_t>(1, length * kept_of(cell) * H * pass.lanes));
          classifier_member_forward(w, tok + start * length, pass, hs.data(), kept.data(),
                                    logits.data());
          // Mean cross-entropy over the minibatch and its gradient (softmax − one-hot) / b.
          T loss = T(0);
          for (int64_t i = 0; i < b; ++i) {
            const T* l = logits.data() + i * C;
            const int64_t y = lab[start + i];
            int64_t best = 0;
            for (int64_t c = 1; c < C; ++c) best = l[c] > l[best] ? c : best;
            right += best == y;
            T total = T(0);
            for (int64_t c = 0; c < C; ++c) total += std::exp(l[c] - l[best]);
            loss += std::log(total) + l[best] - l[y];
            for (int64_t c = 0; c < C; ++c)
              grad_logits[i * C + c] = (std::exp(l[c] - l[best]) / total - T(c == y)) / T(b);
          }
          loss /= T(b);
          std::fill(grad.begin(), grad.end(), T(0));
          classifier_member_backward(w, pass, hs.data(), kept.data(), grad_logits.data(), d);
          bool step_ok = std::isfinite(loss);
          for (int64_t k = 0; k < N; ++k) step_ok = step_ok && std::isfinite(grad[k]);
          ok = ok && step_ok;
          // PopulationAdam.step: the step count goes on for stopped members too.
          *done += 1.0;
          const double bias1 = 1.0 - std::pow(beta1, *done);
          const T bias2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(beta2, *done)));
          const T step_size = static_cast<T>(lr.data_ptr<double>()[p] * (ok ? 1.0 : 0.0)
                                             / bias1);
          for (int64_t k = 0; k < N; ++k) {
            const T g = ok ? grad[k] : T(0);
            m1[k] += T(1 - beta1) * (g - m1[k]);
            m2[k] = m2[k] * T(beta2) + T(1 - beta2) * g * g;
            row[k] -= m1[k] * step_size / (std::sqrt(m2[k]) / bias2_sqrt + T(eps));
          }
          losses += static_cast<double>(loss) * static_cast<double>(b);
        }
        loss_sum.data_ptr<double>()[p] = losses;
        correct.data_ptr<int64_t>()[p] = right;
        finite.data_ptr<bool>()[p] = ok;
      }
    });
  });
  return {loss_sum, correct, finite};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, module) {
  module.def("scan_forward", &scan_forward);
  module.def("scan_backward", &scan_backward);
  module.def("classifier_forward", &classifier_forward);
  module.def("classifier_backward", &classifier_backward);
  module.def("classifier_train_epoch", &classifier_train_epoch);
}
