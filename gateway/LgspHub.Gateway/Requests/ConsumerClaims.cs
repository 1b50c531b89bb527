using System.Security.Claims;

namespace LgspHub.Gateway.Requests;

/// <summary>The consumer a request comes from: its token's client_id (Access/Tokens.cs issues it).</summary>
public static class ConsumerClaims
{
    public const string ClientId = "client_id";

    public static string? ConsumerId(this ClaimsPrincipal user) => user.FindFirstValue(ClientId);
}
