using Microsoft.AspNetCore.Authentication.JwtBearer;
using LgspHub.Gateway.Requests;
using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Yarp.ReverseProxy.Transforms;

namespace LgspHub.Gateway.Access;

public static class AccessExtensions
{
    /// <summary>Consumers, tokens, rights and rate limits: who may call what through the hub.</summary>
    public static IHostApplicationBuilder AddLgspAccess(this IHostApplicationBuilder builder)
    {
        builder.RequireHubSecrets();
        var services = builder.Services;
        services.Configure<LgspOptions>(builder.Configuration.GetSection(LgspOptions.Section));
        services.AddSingleton<ConsumerRegistry>();
        services.AddSingleton<IConsumerRegistry>(provider => provider.GetRequiredService<ConsumerRegistry>());
        services.AddSingleton<ClientSecretChecks>();
        services.AddLgspTokens();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenSigningKey, IOptions<LgspOptions>, IConsumerRegistry>((jwt, signing, lgsp, consumers) =>
            {
                jwt.MapInboundClaims = false;
                // A token outlives its consumer's registration: one whose consumer was revoked (or left the configuration)
                // authenticates no one from its next request, on every endpoint, the catalogue's included.
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        if (context.Principal?.ConsumerId() is not { } id || consumers.Find(id) is null)
                            context.Fail("The token's consumer is not registered now.");
                        return Task.CompletedTask;
                    },
                };
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = lgsp.Value.Tokens.IssuerUri.AbsoluteUri,
                    ValidAudience = TokenEndpoint.Audience,
                    IssuerSigningKey = signing.Key,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = ConsumerClaims.ClientId,
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Operation.RightsPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new OperationRightRequirement()))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new DeclaredAccessRequirement()).Build());
        services.AddSingleton<IAuthorizationHandler, OperationRightHandler>();
        services.AddSingleton<IAuthorizationHandler, DeclaredAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddConsumerRateLimits();

        services.AddHostedService(provider => provider.GetRequiredService<ConsumerRegistry>());
        services.AddHealthChecks().AddCheck<ConsumerRegistryHealthCheck>("consumers");
        return builder;
    }

    public static WebApplication UseLgspAccess(this WebApplication app)
    {
        app.UseTokenEndpointRateLimit();
        app.UseAuthentication();
        // Before authorization: callers that are refused are limited too, and cannot flood the records.
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    public static IReverseProxyBuilder AddLgspTransforms(this IReverseProxyBuilder proxy) =>
        TransactionRecorder.AddBackendTiming(proxy).AddTransforms(transforms =>
        {
            // Agencies trust the gateway, not the token: they get the consumer's id, never its credentials.
            transforms.AddRequestTransform(context =>
            {
                context.ProxyRequest.Headers.Remove("Authorization");
                context.ProxyRequest.Headers.Remove(HubHeaders.Consumer);
                if (context.HttpContext.User.ConsumerId() is { } consumer)
                    context.ProxyRequest.Headers.TryAddWithoutValidation(HubHeaders.Consumer, consumer);
                return ValueTask.CompletedTask;
            });
        }).AddFaultHeaderGuard().AddAgencyCredentials(); // after the transform above, which drops the caller's Authorization
}
