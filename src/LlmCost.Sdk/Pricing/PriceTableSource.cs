namespace LlmCost.Sdk;

/// <summary>
/// Holds the price table in force and swaps it atomically when <see cref="LlmCostOptions.PriceTableUpdate"/> brings a
/// newer one. Readers take one snapshot (<see cref="Current"/>) per record, so a record is priced by one table only.
/// </summary>
internal sealed class PriceTableSource
{
    private volatile PriceTable _current;

    public PriceTableSource(PriceTable initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>Gets the table in force now.</summary>
    public PriceTable Current => _current;

    /// <summary>Replaces the table in force; a reader sees the old table or the new one, never a mix.</summary>
    public void Swap(PriceTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _current = table;
    }
}
