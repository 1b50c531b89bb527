using System.Net.Http.Headers;

namespace LgspHub.ServiceDefaults;

/// <summary>The credentials agencies verify, named once for the gateway that sends them and the agencies that check them.</summary>
public static class AgencyCredentials
{
    /// <summary><c>Authorization: LgspGateway &lt;key&gt;</c>: the request comes through the gateway, which checked the consumer.</summary>
    public const string GatewayScheme = "LgspGateway";

    /// <summary><c>Authorization: LgspOperator &lt;key&gt;</c>: an operator of the hub, for /admin.</summary>
    public const string OperatorScheme = "LgspOperator";

    public static AuthenticationHeaderValue Header(string scheme, string key) => new(scheme, key);
}
