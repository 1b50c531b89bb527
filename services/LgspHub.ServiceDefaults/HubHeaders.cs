namespace LgspHub.ServiceDefaults;

/// <summary>The hub's own headers, named once for the gateway, the agencies and their OpenAPI documents.</summary>
public static class HubHeaders
{
    /// <summary>The id of the consumer system the gateway admitted; agencies get it instead of the consumer's token.</summary>
    public const string Consumer = "X-Lgsp-Consumer";

    /// <summary>The purpose (a public-service code) a personal-data operation is called for.</summary>
    public const string Purpose = "X-Lgsp-Purpose";

    /// <summary>The code of the officer acting in a personal-data operation.</summary>
    public const string Officer = "X-Lgsp-Officer";

    /// <summary>What <see cref="Purpose"/> and <see cref="Officer"/> hold: letters, digits, '.', '-', '_'; 1 to 64 of them.</summary>
    public const string CodePattern = "^[A-Za-z0-9._-]{1,64}$";

    /// <summary>The gateway's id of the transaction, on every answer it gives.</summary>
    public const string TransactionId = "X-Lgsp-Transaction-Id";

    /// <summary>The agency's own status, on every answer the agency gave (absent when the gateway answered alone).</summary>
    public const string AgencyStatus = "X-Lgsp-Agency-Status";

    /// <summary>Faults one request asks for itself (tests; LgspHub.Faults' FaultRequestHeader reads it), passed on by the gateway only for consumers with the fault-injection right.</summary>
    public const string Fault = "X-Lgsp-Fault";

    /// <summary>The key under which a retried submission finds the dossier it made (IETF Idempotency-Key draft).</summary>
    public const string IdempotencyKey = "Idempotency-Key";
}
