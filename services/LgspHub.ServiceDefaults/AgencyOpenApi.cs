using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace LgspHub.ServiceDefaults;

/// <summary>
/// An agency's OpenAPI document as a consumer needs it: its server is the gateway (Gateway:Url), never the agency's
/// own port, and every operation asks for the hub's OAuth 2.0 client-credentials token from the gateway's token
/// endpoint, so a generated client or the API reference page calls through the hub with a token. The operators'
/// /admin endpoints, which the gateway does not route, have a document of their own.
/// </summary>
public static class AgencyOpenApi
{
    /// <summary>The security scheme's name in every document.</summary>
    public const string SecurityScheme = "lgsp";

    /// <summary>The consumers' document, served through the gateway.</summary>
    public const string ConsumerDocument = "v1";

    /// <summary>The operators' document: the agency's own /admin endpoints, on its own port, with the operators' key.</summary>
    public const string OperatorDocument = "admin";

    public static IHostApplicationBuilder AddAgencyOpenApi(this IHostApplicationBuilder builder)
    {
        var gateway = new Uri(builder.Configuration["Gateway:Url"] ?? GatewayClients.DefaultGatewayUrl);
        builder.Services.AddOpenApi(OperatorDocument, options => options.ShouldInclude = IsOperators);
        builder.Services.AddOpenApi(ConsumerDocument, options =>
        {
            options.ShouldInclude = description => !IsOperators(description);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Servers = [new OpenApiServer { Url = gateway.ToString().TrimEnd('/'), Description = "The LGSP gateway: every call goes through it." }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = "A registered consumer's token: client credentials at the gateway's token endpoint.",
                    Flows = new OpenApiOAuthFlows
                    {
                        ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(gateway, GatewayClients.TokenPath), Scopes = new Dictionary<string, string>() },
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    private static bool IsOperators(ApiDescription description) =>
        description.RelativePath?.StartsWith("admin", StringComparison.OrdinalIgnoreCase) == true;
}
