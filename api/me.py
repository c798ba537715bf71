"""The household's own API: a token for its credentials (/api/v1/me/token/, throttled and
answered like the sign-in at /my/), its status (/api/v1/me/) and its documents. A household
token opens these and nothing else: it is read by HouseholdTokenAuthentication, which only
these views use, so every other endpoint sees an anonymous request."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.me import MeSerializer, MeSignInSerializer, MeTokenSerializer
from resettlement.household_status.access import (
    household_authenticate,
    household_token_check,
    household_token_create,
)
from resettlement.household_status.documents import own_document_response
from resettlement.household_status.models import HouseholdToken
from resettlement.household_status.status import household_status
from resettlement.projects.models import Project

ERROR_TOKEN = gettext_lazy("Invalid, expired or revoked household token.")


class HouseholdTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` with a household's key. The request stays anonymous to
    the rest of the API (request.user is AnonymousUser); request.auth is the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(ERROR_TOKEN)
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(ERROR_TOKEN) from None
        token = household_token_check(key)
        if token is None:
            raise exceptions.AuthenticationFailed(ERROR_TOKEN)
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class HouseholdTokenScheme(OpenApiAuthenticationExtension):
    target_class = HouseholdTokenAuthentication
    name = "householdToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A household's token from POST /api/v1/me/token/.",
        }


class IsHousehold(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, HouseholdToken)


class MeTokenView(APIView):
    authentication_classes = [HouseholdTokenAuthentication]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsHousehold()]

    @extend_schema(
        request=MeSignInSerializer,
        responses={
            201: MeTokenSerializer,
            400: OpenApiResponse(description="Wrong or malformed credentials."),
            429: OpenApiResponse(description="Too many failed attempts: try again later."),
        },
        auth=[],
        summary="A household's token, for its agreement number and ID suffix",
    )
    def post(self, request):
        serializer = MeSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = (
            Project.objects.filter(code=data["project"])
            .only("code", "household_access_codes")
            .first()
        )
        if project is None:
            raise exceptions.ValidationError({"project": [_("No such project.")]})
        result = household_authenticate(
            request,
            project=project,
            agreement_no=data["agreement_no"],
            id_suffix=data["id_suffix"],
            code=data.get("access_code", ""),
        )
        if result.refusal:
            return Response({"detail": result.refusal}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if result.household is None:
            return Response({"detail": result.error}, status=status.HTTP_400_BAD_REQUEST)
        token, key = household_token_create(result.household)
        body = MeTokenSerializer({"token": key, "expires_at": token.expires_at}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Sign out: revoke this household token")
    def delete(self, request):
        HouseholdToken.objects.filter(pk=request.auth.pk).update(revoked_at=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    authentication_classes = [HouseholdTokenAuthentication]
    permission_classes = [IsHousehold]

    @extend_schema(responses=MeSerializer, summary="The household's own status")
    def get(self, request):
        view = household_status(request.auth.household)
        return Response(MeSerializer(view, context={"request": request}).data)


class MeDocumentView(APIView):
    authentication_classes = [HouseholdTokenAuthentication]
    permission_classes = [IsHousehold]

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(description="The stored PDF.")},
        summary="One of the household's documents, as printed",
    )
    def get(self, request, pk: int):
        return own_document_response(request, request.auth.household, pk)
