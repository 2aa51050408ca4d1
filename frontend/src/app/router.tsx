import type { ReactNode } from "react";
import { createBrowserRouter, type RouteObject } from "react-router";
import { RootLayout } from "@/components/layout/root-layout";
import { RequireAuth } from "@/lib/auth";
import { AccountEmailRoute } from "./routes/account/email";
import { LoginRoute } from "./routes/account/login";
import { PasswordChangeRoute } from "./routes/account/password-change";
import { PasswordResetRequestRoute } from "./routes/account/password-reset";
import { PasswordResetKeyRoute } from "./routes/account/password-reset-key";
import { ProviderCallbackRoute } from "./routes/account/provider-callback";
import { SignupRoute } from "./routes/account/signup";
import { VerifyEmailRoute } from "./routes/account/verify-email";
import { VerifyEmailKeyRoute } from "./routes/account/verify-email-key";
import { CaseDetailRoute } from "./routes/cases/detail";
import { CasesRoute } from "./routes/cases/list";
import { CmsPageRoute } from "./routes/cms-page";
import { HomeRoute } from "./routes/home";
import { IdentificationRoute } from "./routes/identification";
import { NotFoundRoute } from "./routes/not-found";
import { ProfileRoute } from "./routes/profile";
import { RouteErrorBoundary } from "./routes/route-error";
import { ADDITIONAL_VEHICLE_PERMIT } from "@/features/parking-permit/api/get-services";
import {
  ParkingPermitCheckRoute,
  ParkingPermitDetailsRoute,
  ParkingPermitRoute,
  ParkingPermitVehicleRoute,
} from "./routes/services/parking-permit";

const protect = (element: ReactNode) => <RequireAuth>{element}</RequireAuth>;

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <RootLayout />,
    errorElement: <RouteErrorBoundary />,
    children: [
      { index: true, element: <HomeRoute /> },
      { path: "account/login", element: <LoginRoute /> },
      { path: "account/signup", element: <SignupRoute /> },
      { path: "account/verify-email", element: <VerifyEmailRoute /> },
      { path: "account/verify-email/:key", element: <VerifyEmailKeyRoute /> },
      { path: "account/password/reset", element: <PasswordResetRequestRoute /> },
      { path: "account/password/reset/key/:key", element: <PasswordResetKeyRoute /> },
      { path: "account/provider/callback", element: <ProviderCallbackRoute /> },
      { path: "account/email", element: protect(<AccountEmailRoute />) },
      { path: "account/password/change", element: protect(<PasswordChangeRoute />) },
      { path: "profile", element: protect(<ProfileRoute />) },
      { path: "identification", element: protect(<IdentificationRoute />) },
      {
        path: "services/parking-permit",
        element: protect(<ParkingPermitRoute />),
        children: [
          { index: true, element: <ParkingPermitDetailsRoute /> },
          { path: "vehicle", element: <ParkingPermitVehicleRoute /> },
          { path: "check", element: <ParkingPermitCheckRoute /> },
        ],
      },
      {
        // The fee-bearing permit for a further vehicle: the same wizard and steps.
        path: "services/parking-permit-additional",
        element: protect(<ParkingPermitRoute service={ADDITIONAL_VEHICLE_PERMIT} />),
        children: [
          { index: true, element: <ParkingPermitDetailsRoute /> },
          { path: "vehicle", element: <ParkingPermitVehicleRoute /> },
          { path: "check", element: <ParkingPermitCheckRoute /> },
        ],
      },
      { path: "cases", element: protect(<CasesRoute />) },
      { path: "cases/:reference", element: protect(<CaseDetailRoute />) },
      { path: "pages/:slug", element: <CmsPageRoute /> },
      { path: "*", element: <NotFoundRoute /> },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);
