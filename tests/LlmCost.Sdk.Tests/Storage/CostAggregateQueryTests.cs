namespace LlmCost.Sdk.Tests.Storage;

public sealed class CostAggregateQueryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-15)]
    [InlineData(10)]
    [InlineData(20)]
    public void BucketSize_NotAPositiveWholeMultipleOf15Minutes_Throws(int minutes)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CostAggregateQuery { From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch, BucketSize = TimeSpan.FromMinutes(minutes) });

        Assert.Equal(nameof(CostAggregateQuery.BucketSize), ex.ParamName);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(30)]
    [InlineData(1440)]
    public void BucketSize_WholeMultipleOf15Minutes_IsKept(int minutes)
    {
        var query = new CostAggregateQuery { From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch, BucketSize = TimeSpan.FromMinutes(minutes) };

        Assert.Equal(TimeSpan.FromMinutes(minutes), query.BucketSize);
    }

    [Fact]
    public void GroupBy_Null_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CostAggregateQuery { From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch, GroupBy = null! });

        Assert.Equal(nameof(CostAggregateQuery.GroupBy), ex.ParamName);
    }
}
