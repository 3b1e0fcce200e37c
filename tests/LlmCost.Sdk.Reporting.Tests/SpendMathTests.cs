namespace LlmCost.Sdk.Reporting.Tests;

public class SpendMathTests
{
    [Fact]
    public void Decompose_HandCheckedExample_SplitsIntoVolumeTokensPerCallAndPrice()
    {
        // Base: 100 calls, 1,000 tokens each, $0.001 per token = $100. Current: 120 calls, 1,100 tokens each, $180.
        var (volume, tokensPerCall, priceAndMix) = SpendMath.Decompose(100m, 100, 100_000, 180m, 120, 132_000);

        Assert.Equal(20m, volume);            // 20 more calls at the base cost per call ($1)
        Assert.Equal(12m, tokensPerCall);     // 120 calls x 100 more tokens x $0.001
        Assert.Equal(48m, priceAndMix);       // 132,000 tokens x ($180/132,000 - $0.001)
        Assert.Equal(80m, volume + tokensPerCall + priceAndMix);
    }

    [Theory]
    [InlineData("1", 3, 7, "2", 7, 11)]
    [InlineData("0.00522", 1, 1550, "0.731415", 97, 170_003)]
    [InlineData("12.3456789", 333, 1_000_001, "9.87654321", 17, 3)]
    [InlineData("5", 10, 0, "7", 12, 400)]
    [InlineData("5", 10, 1000, "0", 0, 0)]
    [InlineData("0", 0, 0, "3.14", 2, 20)]
    public void Decompose_AnyPeriods_PartsSumExactlyToTheChange(string c0, long n0, long t0, string c1, long n1, long t1)
    {
        var before = decimal.Parse(c0, System.Globalization.CultureInfo.InvariantCulture);
        var after = decimal.Parse(c1, System.Globalization.CultureInfo.InvariantCulture);

        var (volume, tokensPerCall, priceAndMix) = SpendMath.Decompose(before, n0, t0, after, n1, t1);

        Assert.Equal(after - before, volume + tokensPerCall + priceAndMix);
    }

    [Fact]
    public void Decompose_NoBaseCalls_IsAllVolume()
    {
        Assert.Equal((3.14m, 0m, 0m), SpendMath.Decompose(0m, 0, 0, 3.14m, 2, 20));
    }

    [Fact]
    public void MedianAndMad_HandChecked()
    {
        // Median 3; deviations 2, 1, 0, 1, 97 -> MAD 1.
        Assert.Equal((3m, 1m), SpendMath.MedianAndMad([1m, 2m, 3m, 4m, 100m]));
        Assert.Equal(2.5m, SpendMath.Median([4m, 1m, 3m, 2m]));
    }

    [Fact]
    public void RobustScore_IsScaledDistanceFromTheMedian()
    {
        // 0.6745 x (10 - 3) / 1
        Assert.Equal(4.7215m, SpendMath.RobustScore(10m, 3m, 1m, 0.01m));
        Assert.Equal(-4.7215m, SpendMath.RobustScore(3m, 10m, 1m, 0.01m));
        Assert.Equal(0m, SpendMath.RobustScore(3m, 3m, 1m, 0.01m));
    }

    [Fact]
    public void RobustScore_FlatWindow_ScaleFlooredAtFivePercentOfTheMedian()
    {
        // Median 18, MAD 0: the scale is 0.9, so $21 scores 0.6745 x 3 / 0.9 = 2.2483... (not unusual) and $104 scores 64.45...
        Assert.Equal(0.6745m * 3m / 0.9m, SpendMath.RobustScore(21m, 18m, 0m, 0.01m));
        Assert.True(SpendMath.RobustScore(104m, 18m, 0m, 0.01m) > 64m);
        // From nothing, the minimum scale ($0.01) applies: 0.6745 x 3 / 0.01.
        Assert.Equal(202.35m, SpendMath.RobustScore(3m, 0m, 0m, 0.01m));
        Assert.Equal(1_000_000m, SpendMath.RobustScore(3m, 0m, 0m, 0m));
    }

    [Fact]
    public void Allocate_SharesByWeight_AndSumsExactly()
    {
        var parts = SpendMath.Allocate(100m, [1, 1, 1]);

        Assert.Equal([33.3333333333m, 33.3333333333m, 33.3333333334m], parts);
        Assert.Equal(100m, parts.Sum());
        Assert.Equal([0m, 75m, 25m], SpendMath.Allocate(100m, [0, 3, 1]));
        Assert.Equal([0m, 0m], SpendMath.Allocate(100m, [0, 0]));
    }

    [Theory]
    [InlineData("2026-11-30", "2026-11-30")] // Monday
    [InlineData("2026-11-29", "2026-11-23")] // Sunday
    [InlineData("2026-11-25", "2026-11-23")]
    public void Monday_IsTheStartOfTheIsoWeek(string day, string monday)
    {
        Assert.Equal(DateOnly.Parse(monday, System.Globalization.CultureInfo.InvariantCulture), SpendMath.Monday(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
