namespace LlmCost.Sdk.Reporting;

/// <summary>The report's arithmetic, in <see cref="decimal"/>, kept apart so each formula is tested on hand-checkable numbers.</summary>
internal static class SpendMath
{
    /// <summary>The factor that makes the MAD of a normal distribution comparable with its standard deviation (1/1.4826).</summary>
    public const decimal MadFactor = 0.6745m;

    /// <summary>Splits <c>c1 − c0</c> into volume, tokens per call and price and mix (see <see cref="ChangeDecomposition"/>).</summary>
    public static (decimal Volume, decimal TokensPerCall, decimal PriceAndMix) Decompose(decimal c0, long n0, long t0, decimal c1, long n1, long t1)
    {
        var change = c1 - c0;
        if (n0 == 0)
        {
            return (change, 0m, 0m);
        }

        var volume = c0 * (n1 - n0) / n0;
        var tokensPerCall = 0m;
        if (t0 != 0)
        {
            // C0·(N1/N0)·(T1/T0 − 1) with T = tokens per call; since T1/T0 = (t1·n0)/(t0·n1) for the token totals t,
            // it is C0·t1/t0 − C0·n1/n0, computed from the totals so no per-call average is rounded first.
            tokensPerCall = n1 == 0 ? 0m : (c0 * t1 / t0) - (c0 * n1 / n0);
        }

        return (volume, tokensPerCall, change - volume - tokensPerCall);
    }

    /// <summary>The median of values (the mean of the middle two for an even count).</summary>
    public static decimal Median(IReadOnlyList<decimal> values)
    {
        if (values.Count == 0)
        {
            return 0m;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2m;
    }

    /// <summary>The median and the median absolute deviation of values.</summary>
    public static (decimal Median, decimal Mad) MedianAndMad(IReadOnlyList<decimal> values)
    {
        var median = Median(values);
        var deviations = new decimal[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            deviations[i] = Math.Abs(values[i] - median);
        }

        return (median, Median(deviations));
    }

    /// <summary>The smallest scale, as a share of the median, so a flat series (MAD 0) needs a real change to be unusual.</summary>
    public const decimal MinimumRelativeScale = 0.05m;

    /// <summary>
    /// The robust z-score of a value against a window: 0.6745·(value − median)/scale, where the scale is the MAD, but at
    /// least 5% of the median and at least <paramref name="minimumScale"/>. Without the floor a window of identical days
    /// (MAD 0) would make any change, even a cent, infinitely unusual. A zero scale gives ±1,000,000.
    /// </summary>
    public static decimal RobustScore(decimal value, decimal median, decimal mad, decimal minimumScale)
    {
        var difference = value - median;
        if (difference == 0)
        {
            return 0m;
        }

        var scale = Math.Max(mad, Math.Max(MinimumRelativeScale * Math.Abs(median), minimumScale));
        return scale == 0 ? Math.Sign(difference) * 1_000_000m : MadFactor * difference / scale;
    }

    /// <summary>Whether a day is a weekend day (Saturday or Sunday).</summary>
    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>The Monday of the ISO week of a day.</summary>
    public static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>
    /// Shares an amount among weights so the parts add up exactly to the amount: each part is amount·weight/total,
    /// and the last non-zero weight takes the remainder of the divisions.
    /// </summary>
    public static decimal[] Allocate(decimal amount, IReadOnlyList<long> weights)
    {
        var parts = new decimal[weights.Count];
        long total = 0;
        var last = -1;
        for (var i = 0; i < weights.Count; i++)
        {
            total += weights[i];
            if (weights[i] > 0)
            {
                last = i;
            }
        }

        if (total <= 0)
        {
            return parts;
        }

        var given = 0m;
        for (var i = 0; i < weights.Count; i++)
        {
            if (i == last)
            {
                parts[i] = amount - given;
                break;
            }

            parts[i] = decimal.Round(amount * weights[i] / total, 10);
            given += parts[i];
        }

        return parts;
    }
}
