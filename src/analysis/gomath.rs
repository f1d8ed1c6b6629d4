//! Go's `math.Exp` and `math.Log` as Go 1.26 computes them on amd64 (its assembly
//! versions, `exp_amd64.s` and `log_amd64.s`), so that figures derived from them (MMU plot
//! windows, histogram buckets) are identical to go tool trace's. Go's `Exp` takes a fused
//! multiply-add path when the CPU has AVX and FMA; so does this port, so that on a given
//! machine both agree.

// The constants are Go's literals, digit for digit, so they can be checked against its
// source; they round to the same doubles.
#![allow(clippy::excessive_precision)]

const LN2U: f64 = 0.693_147_180_559_662_956_511_601_805_686_950_683_593_75;
const LN2L: f64 = 0.282_352_905_630_315_771_225_884_481_750_134_360_255_254_120_68e-12;
const LOG2E: f64 = std::f64::consts::LOG2_E;
const OVERFLOW: f64 = 7.097_827_128_933_84e2;
// The Taylor coefficients of exp_amd64.s, as its DATA section lists them.
const C: [f64; 9] = [
    0.5,
    1.0,
    2.0,
    1.666_666_666_666_666_666_7e-1,
    4.166_666_666_666_666_666_7e-2,
    8.333_333_333_333_333_333_3e-3,
    1.388_888_888_888_888_888_9e-3,
    1.984_126_984_126_984_127_0e-4,
    2.480_158_730_158_730_158_7e-5,
];

fn use_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Go's `math.Exp` on amd64.
pub fn exp(x: f64) -> f64 {
    let bits = x.to_bits();
    if bits & !(1 << 63) >= 0x7FF0_0000_0000_0000 {
        // -Inf gives 0; NaN and +Inf themselves.
        return if bits == 0xFFF0_0000_0000_0000 {
            0.0
        } else {
            x
        };
    }
    if x > OVERFLOW {
        return f64::INFINITY;
    }
    // CVTSD2SL rounds to nearest even; out of range gives the "integer indefinite".
    let t = x * LOG2E;
    let k: i32 = if (-2_147_483_648.0..2_147_483_648.0).contains(&t) {
        t.round_ties_even() as i32
    } else {
        i32::MIN
    };
    let kf = k as f64;
    let mut x0;
    if use_fma() {
        x0 = (-kf).mul_add(LN2U, x);
        x0 = (-kf).mul_add(LN2L, x0);
        x0 *= 0.0625;
        let mut x1 = C[8];
        for c in [C[7], C[6], C[5], C[4], C[3], C[0], C[1]] {
            x1 = x1.mul_add(x0, c);
        }
        x0 *= x1;
        for _ in 0..3 {
            let x1 = x0 + C[2];
            x0 *= x1;
        }
        let x1 = x0 + C[2];
        x0 = x0.mul_add(x1, C[1]);
    } else {
        x0 = x - LN2U * kf;
        x0 -= LN2L * kf;
        x0 *= 0.0625;
        let mut x1 = C[8] * x0;
        for c in [C[7], C[6], C[5], C[4], C[3], C[0]] {
            x1 += c;
            x1 *= x0;
        }
        x1 += C[1];
        x0 *= x1;
        for _ in 0..4 {
            let x1 = C[2] + x0;
            x0 *= x1;
        }
        x0 += C[1];
    }
    // Scale by 2^k, with Go's handling of the exponent range.
    let b = k.wrapping_add(0x3FF);
    if b <= 0 {
        if b < -52 {
            return 0.0;
        }
        x0 *= f64::from_bits(((b + 0x3FE) as u64) << 52);
        return x0 * f64::from_bits(1 << 52);
    }
    if b >= 0x7FF {
        return f64::INFINITY;
    }
    x0 * f64::from_bits((b as u64) << 52)
}

/// Go's `math.Log` on amd64.
pub fn log(x: f64) -> f64 {
    const HSQRT2: f64 = std::f64::consts::FRAC_1_SQRT_2;
    const LN2HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const L: [f64; 7] = [
        6.666_666_666_666_735_130e-1,
        3.999_999_999_940_941_908e-1,
        2.857_142_874_366_239_149e-1,
        2.222_219_843_214_978_396e-1,
        1.818_357_216_161_805_012e-1,
        1.531_383_769_920_937_332e-1,
        1.479_819_860_511_658_591e-1,
    ];
    let bits = x.to_bits();
    if bits & !(1 << 63) == 0 {
        return f64::NEG_INFINITY;
    }
    if (bits as i64) < 0 {
        return f64::from_bits(0x7FF8_0000_0000_0001);
    }
    if bits >= 0x7FF0_0000_0000_0000 {
        return x;
    }
    let mut f1 = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000);
    let mut k = (((bits >> 52) & 0x7FF) as i32 - 0x3FE) as f64;
    // CMPSD "not less than": HSqrt2 >= f1.
    let adjust = if HSQRT2 >= f1 { 1.0 } else { 0.0 };
    k -= adjust;
    f1 *= adjust + 1.0;
    let f = f1 - 1.0;
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * ((((L[6] * s4 + L[4]) * s4) + L[2]) * s4 + L[0]);
    let t2 = s4 * (((L[5] * s4 + L[3]) * s4) + L[1]);
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    let inner = s * (hfsq + r) + k * LN2LO;
    k * LN2HI - ((hfsq - inner) - f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's results on this machine, from tools/gen-unicode-tables.
    const CASES: &str = include_str!("../../tests/data/gofmt/gomath.txt");

    #[test]
    fn exp_and_log_are_bit_identical_to_go() {
        let mut lines = CASES.lines().filter(|l| !l.starts_with('#'));
        let fma = lines.next().expect("fma line") == "fma=true";
        // Go picks its Exp by CPU features at run time, as we do: the expectations hold for
        // machines with the same features as the one that generated them.
        assert_eq!(
            fma,
            use_fma(),
            "tests/data/gofmt/gomath.txt was generated on a machine with a different FMA \
             support; regenerate it here (cd tools/gen-unicode-tables && go run .)"
        );
        let mut n = 0;
        for l in lines {
            let mut f = l.split(' ');
            let (op, x, want) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let x = f64::from_bits(u64::from_str_radix(x, 16).unwrap());
            let want = u64::from_str_radix(want, 16).unwrap();
            let got = match op {
                "exp" => exp(x),
                "log" => log(x),
                "logdiv" => log(exp(1.0 / 5.0 * log(10.0))),
                _ => panic!("unknown op {op}"),
            };
            assert_eq!(got.to_bits(), want, "{op}({x:e}): ours {got:e}");
            n += 1;
        }
        assert!(n > 6000, "{n} cases");
    }
}
