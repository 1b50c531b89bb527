namespace LgspHub.Gateway.Transactions;

/// <summary>The span attributes a gateway transaction carries; none of them is personal data.</summary>
public static class TransactionTags
{
    public const string Id = "lgsp.transaction_id";
    public const string Service = "lgsp.service";
    public const string Operation = "lgsp.operation";
    public const string Consumer = "lgsp.consumer";
    public const string Outcome = "lgsp.outcome";
    public const string Fault = "lgsp.fault_code";
    public const string BackendStatus = "lgsp.backend_status";
}
