namespace LlmCost.Sdk;

/// <summary>What a tracked call reserved before it was sent, settled by the writer when the call's record is made.</summary>
internal interface IRecordSettlement
{
    /// <summary>Settles the reservations to the record's real cost. Never throws.</summary>
    /// <param name="record">The priced record.</param>
    void Settle(CostRecord record);
}
