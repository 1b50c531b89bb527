using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
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

    public async Task<string> TokenAsync(Uri gateway)
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
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>A client that calls the gateway as this consumer, declaring a purpose and an officer as LGSP calls must.</summary>
    public async Task<HttpClient> ClientAsync(Uri gateway) =>
        new(new ConsumerHandler(await TokenAsync(gateway)) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };

    private sealed class ConsumerHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= new("Bearer", token);
            if (!request.Headers.Contains("X-Lgsp-Purpose"))
                request.Headers.Add("X-Lgsp-Purpose", "test.suite");
            if (!request.Headers.Contains("X-Lgsp-Officer"))
                request.Headers.Add("X-Lgsp-Officer", "officer-001");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
