using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Identity;

namespace LgspHub.EndToEnd.Tests;

/// <summary>A consumer system the tests register with the gateway, with its own secret and rights.</summary>
public sealed record TestConsumer(string Id, string[] Rights, int RequestsPerSecond = 100_000, int Burst = 100_000)
{
    /// <summary>A fresh one, unless the consumer is one of the configuration's own (the development operator).</summary>
    public string Secret { get; init; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The gateway's configuration for this consumer, as environment variables.</summary>
    public IEnumerable<KeyValuePair<string, string>> Registration()
    {
        var prefix = $"Lgsp__Consumers__{Id}__";
        yield return new(prefix + "DisplayName", Id);
        yield return new(prefix + "SecretHash", new PasswordHasher<TestConsumer>().HashPassword(this, Secret));
        yield return new(prefix + "RequestsPerSecond", RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new(prefix + "Burst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (var i = 0; i < Rights.Length; i++)
            yield return new($"{prefix}Rights__{i}", Rights[i]);
    }

    public async Task<string> TokenAsync(Uri gateway) => (await IssueAsync(gateway)).Token;

    /// <summary>A token and when to renew it: at two thirds of its lifetime, as a consumer system would.</summary>
    private async Task<(string Token, DateTimeOffset RenewAt)> IssueAsync(Uri gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway };
        // The token endpoint shares a per-address bucket with every anonymous caller (the fuzz test's among
        // them): a 429 says when to come back, as it would to any consumer.
        var response = await Eventually.Get(async () =>
        {
            var answer = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = Id,
                ["client_secret"] = Secret,
            }));
            if (answer.StatusCode != System.Net.HttpStatusCode.TooManyRequests)
                return answer;
            await Task.Delay(answer.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            return null;
        }, TimeSpan.FromSeconds(20), $"a token for {Id}");
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (token.GetProperty("access_token").GetString()!, DateTimeOffset.UtcNow.AddSeconds(token.GetProperty("expires_in").GetInt32() * 2 / 3.0));
    }

    /// <summary>A client that calls the gateway as this consumer, declaring a purpose and an officer as LGSP calls must.</summary>
    /// <remarks>The token is renewed before it ends: a client of the shared fixture lives as long as the whole suite.</remarks>
    public async Task<HttpClient> ClientAsync(Uri gateway) =>
        new(new ConsumerHandler(this, gateway, await IssueAsync(gateway)) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };

    private sealed class ConsumerHandler(TestConsumer consumer, Uri gateway, (string Token, DateTimeOffset RenewAt) issued) : DelegatingHandler
    {
        private readonly SemaphoreSlim _renewing = new(1, 1);
        private (string Token, DateTimeOffset RenewAt) _issued = issued;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= new("Bearer", await TokenAsync(cancellationToken));
            if (!request.Headers.Contains(HubHeaders.Purpose))
                request.Headers.Add(HubHeaders.Purpose, "test.suite");
            if (!request.Headers.Contains(HubHeaders.Officer))
                request.Headers.Add(HubHeaders.Officer, "officer-001");
            return await base.SendAsync(request, cancellationToken);
        }

        private async Task<string> TokenAsync(CancellationToken cancellationToken)
        {
            await _renewing.WaitAsync(cancellationToken);
            try
            {
                if (DateTimeOffset.UtcNow >= _issued.RenewAt)
                    _issued = await consumer.IssueAsync(gateway);
                return _issued.Token;
            }
            finally
            {
                _renewing.Release();
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _renewing.Dispose();
            base.Dispose(disposing);
        }
    }
}
