namespace LgspHub.ServiceDefaults;

/// <summary>Headers the gateway adds to what it forwards, named once for the gateway and the agencies.</summary>
public static class HubHeaders
{
    /// <summary>The id of the consumer system the gateway admitted; agencies get it instead of the consumer's token.</summary>
    public const string Consumer = "X-Lgsp-Consumer";
}
