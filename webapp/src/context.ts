import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Services } from "./init.ts";

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("Services are missing: render inside <ServicesContext.Provider>.");
  return services;
}
