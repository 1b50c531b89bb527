using System.Net;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using LgspHub.Gateway.Access;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// The hub's OAuth 2.0 as a client library finds it: Duende.IdentityModel reads the discovery document, takes a
/// token from the endpoint it names, checks the token against the published keys and calls an agency with it.
/// </summary>
[Collection(HubTests.Name)]
public sealed class OAuthDiscoveryTests(HubFixture hub)
{
    [Fact]
    public async Task A_client_library_follows_discovery_to_a_token_it_can_verify_with_the_published_keys()
    {
        using var http = new HttpClient();

        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = hub.GatewayUrl.ToString(),
            Policy = { RequireHttps = false },   // the test hub listens on plain HTTP on 127.0.0.1
        });

        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(new Uri(hub.GatewayUrl, "/connect/token"), new Uri(discovery.TokenEndpoint!));
        Assert.Contains("client_credentials", discovery.GrantTypesSupported);
        var key = Assert.Single(discovery.KeySet!.Keys);
        Assert.Equal("RSA", key.Kty);
        Assert.Null(key.D);   // the public half only

        var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = hub.Hospital.Id,
            ClientSecret = hub.Hospital.Secret,
        });

        Assert.False(token.IsError, token.Error);
        var checkedToken = await new JsonWebTokenHandler().ValidateTokenAsync(token.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = discovery.Issuer,
            ValidAudience = TokenEndpoint.Audience,
            IssuerSigningKeys = new JsonWebKeySet(discovery.KeySet.RawData).GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        Assert.True(checkedToken.IsValid, checkedToken.Exception?.Message);
        Assert.Equal(hub.Hospital.Id, checkedToken.Claims["client_id"]);

        using var call = new HttpRequestMessage(HttpMethod.Get, new Uri(hub.GatewayUrl, $"/api/health-insurance/cards/{hub.Citizens(Pool.ReadOnly).First(c => c.Card is not null).PersonalId}"));
        call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        call.Headers.Add(PersonalDataPurpose.PurposeHeader, "test.suite");
        call.Headers.Add(PersonalDataPurpose.OfficerHeader, "officer-001");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(call)).StatusCode);
    }

    [Fact]
    public async Task A_client_library_reads_a_refused_token_request_as_an_oauth_error()
    {
        using var http = new HttpClient();

        var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = new Uri(hub.GatewayUrl, "/connect/token").ToString(),
            ClientId = hub.Hospital.Id,
            ClientSecret = "not-its-secret",
        });

        // RFC 6749 §5.2's 401 for a client that authenticated with HTTP Basic (the library's default), with the JSON error:
        // the library reports a 401 as an HTTP error and keeps the parsed body.
        Assert.True(token.IsError);
        Assert.Equal(HttpStatusCode.Unauthorized, token.HttpStatusCode);
        Assert.Equal("invalid_client", token.Json?.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(token.ErrorDescription));
        Assert.StartsWith("Basic", token.HttpResponse!.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
