// Entry: mounts the wall.
import { mount } from 'svelte';
import App from './App.svelte';
import 'maplibre-gl/dist/maplibre-gl.css';
import './wall.css';

const target = document.getElementById('app');
if (target) mount(App, { target });
