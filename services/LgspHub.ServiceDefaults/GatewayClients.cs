using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LgspHub.ServiceDefaults;

/// <summary>How a host calls through the gateway as a registered consumer (section "Lgsp").</summary>
public sealed class ConsumerCredentials
{
    public const string Section = "Lgsp";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";
}

public static class GatewayClients
{
    public const string DefaultGatewayUrl = "http://127.0.0.1:5080";

    /// <summary>The gateway's OAuth 2.0 token endpoint (client credentials).</summary>
    public const string TokenPath = "/connect/token";

    /// <summary>
    /// A typed client that calls other agencies through the gateway, like any consumer system:
    /// with a bearer token from the hub's token endpoint, renewed before it expires.
    /// </summary>
    public static IHttpClientBuilder AddGatewayClient<TClient>(this IHostApplicationBuilder builder) where TClient : class
    {
        var gateway = new Uri(builder.Configuration["Gateway:Url"] ?? DefaultGatewayUrl);
        builder.RequireOutsideDevelopment(($"{ConsumerCredentials.Section}:{nameof(ConsumerCredentials.ClientSecret)}", "this host's secret at the gateway's token endpoint"));
        builder.Services.Configure<ConsumerCredentials>(builder.Configuration.GetSection(ConsumerCredentials.Section));
        builder.Services.AddHttpClient(ConsumerToken.ClientName, http => http.BaseAddress = gateway);
        builder.Services.AddSingleton<ConsumerToken>();
        builder.Services.AddTransient<ConsumerTokenHandler>();
        return builder.Services.AddHttpClient<TClient>(http => http.BaseAddress = gateway).AddHttpMessageHandler<ConsumerTokenHandler>();
    }
}

/// <summary>The cached client-credentials token of this host.</summary>
public sealed class ConsumerToken(IHttpClientFactory clients, IOptions<ConsumerCredentials> credentials, TimeProvider clock) : IDisposable
{
    public const string ClientName = "lgsp-token";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Value, DateTimeOffset RenewAt)? _token;

    public async Task<string> GetAsync(bool renew, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!renew && _token is { } cached && clock.GetUtcNow() < cached.RenewAt)
                return cached.Value;
            using var response = await clients.CreateClient(ClientName).PostAsync(GatewayClients.TokenPath, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = credentials.Value.ClientId,
                ["client_secret"] = credentials.Value.ClientSecret,
            }), cancellationToken);
            response.EnsureSuccessStatusCode();
            var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
                ?? throw new HttpRequestException("The token endpoint answered nothing.");
            // Renew at two thirds of the lifetime, well before it ends.
            _token = (token.AccessToken, clock.GetUtcNow().AddSeconds(token.ExpiresIn * 2 / 3.0));
            return token.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken, [property: JsonPropertyName("expires_in")] int ExpiresIn);
}

public sealed class ConsumerTokenHandler(ConsumerToken token) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new("Bearer", await token.GetAsync(renew: false, cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return response;

        // The gateway restarted with a new signing key, or the token ended early: renew once and resend.
        response.Dispose();
        request.Headers.Authorization = new("Bearer", await token.GetAsync(renew: true, cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
